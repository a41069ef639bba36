// GLSL ES 3.00 programs from shaders/ (embedded in shaders.h). Chromium compiles in its GPU process
// while the page carries on, as long as nothing asks about the result: start every program at
// start-up, check it (and look up its uniforms) at its first use.
#pragma once
#include <GLES3/gl3.h>

// Compiles and links without waiting.
GLuint start_program(const char* vertex_source, const char* fragment_source);
// Waits for the link; a compile or link error goes to the console with the program's name. Call
// once per program: it also lets go of the shaders.
void check_program(const char* name, GLuint program);
