#include "gl_program.h"

#include <cstdio>

namespace {

// Prints the info log of a shader or program whose compile or link failed.
template <class GetIv, class GetLog>
void report_failure(const char* name, const char* what, GLuint id, GLenum status, GetIv get_iv, GetLog get_log) {
  GLint ok = 0;
  get_iv(id, status, &ok);
  if (ok) return;
  char log[1024];
  get_log(id, sizeof log, nullptr, log);
  std::fprintf(stderr, "%s %s: %s\n", name, what, log);
}

GLuint compile(const char* name, GLenum type, const char* source) {
  GLuint s = glCreateShader(type);
  glShaderSource(s, 1, &source, nullptr);
  glCompileShader(s);
  report_failure(name, "shader", s, GL_COMPILE_STATUS, glGetShaderiv, glGetShaderInfoLog);
  return s;
}

}  // namespace

GLuint link_program(const char* name, const char* vertex_source, const char* fragment_source) {
  GLuint program = glCreateProgram();
  GLuint vs = compile(name, GL_VERTEX_SHADER, vertex_source), fs = compile(name, GL_FRAGMENT_SHADER, fragment_source);
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  report_failure(name, "program", program, GL_LINK_STATUS, glGetProgramiv, glGetProgramInfoLog);
  glDeleteShader(vs);  // freed with the program
  glDeleteShader(fs);
  return program;
}
