// GLSL ES 3.00 programs from shaders/ (embedded in shaders.h). Chromium compiles in its GPU process
// while the page carries on; every question about a program (a status, a uniform's location) is a
// round trip that waits for its link. So programs are started at start-up, their per-draw values
// are constant vertex attributes (fixed locations, nothing to look up), their one sampler is the
// default unit 0, and the compile and link results are read only once the first frames are out.
// (WebGL's useProgram still waits for the link on a program's first use.)
#pragma once
#include <GLES3/gl3.h>

// Compiles and links without waiting; `name` labels its errors.
GLuint start_program(const char* name, const char* vertex_source, const char* fragment_source);
// Reads the result of every program started and not yet checked: a compile or link error goes to
// the console with the program's name. Lets go of their shaders.
void check_started_programs();
