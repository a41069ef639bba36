// Compiles and links a GLSL ES 3.00 program from shaders/ (embedded in shaders.h); a compile or
// link error goes to the console with the program's name.
#pragma once
#include <GLES3/gl3.h>

GLuint link_program(const char* name, const char* vertex_source, const char* fragment_source);
