#include "gl_program.h"

#include <cstdio>

namespace {

GLuint compile(const char* name, GLenum type, const char* source) {
  GLuint s = glCreateShader(type);
  glShaderSource(s, 1, &source, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[1024];
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::fprintf(stderr, "%s shader: %s\n", name, log);
  }
  return s;
}

}  // namespace

GLuint link_program(const char* name, const char* vertex_source, const char* fragment_source) {
  GLuint program = glCreateProgram();
  GLuint vs = compile(name, GL_VERTEX_SHADER, vertex_source), fs = compile(name, GL_FRAGMENT_SHADER, fragment_source);
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  GLint ok = 0;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[1024];
    glGetProgramInfoLog(program, sizeof log, nullptr, log);
    std::fprintf(stderr, "%s program: %s\n", name, log);
  }
  glDeleteShader(vs);  // freed with the program
  glDeleteShader(fs);
  return program;
}
