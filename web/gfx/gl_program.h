// GLSL ES 3.00 programs from shaders/ (embedded in shaders.h). Chromium compiles in its GPU process
// while the page carries on, as long as nothing asks about the result — a status or a uniform's
// location waits for the link. So every program is started at start-up and drawn with at once:
// its per-draw values come as constant vertex attributes (fixed locations, nothing to look up),
// its one sampler is the default unit 0, and the compile and link results are read only once the
// first frames are out.
#pragma once
#include <GLES3/gl3.h>

// Compiles and links without waiting; `name` labels its errors.
GLuint start_program(const char* name, const char* vertex_source, const char* fragment_source);
// Reads the result of every program started and not yet checked: a compile or link error goes to
// the console with the program's name. Lets go of their shaders.
void check_started_programs();
