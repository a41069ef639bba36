#include "gl_program.h"

#include <cstdio>
#include <utility>
#include <vector>

namespace {

struct Started {
  const char* name;
  GLuint program;
};
std::vector<Started> unchecked;

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

}  // namespace

GLuint start_program(const char* name, const char* vertex_source, const char* fragment_source) {
  GLuint program = glCreateProgram();
  for (auto [type, source] : {std::pair{GL_VERTEX_SHADER, vertex_source}, std::pair{GL_FRAGMENT_SHADER, fragment_source}}) {
    GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &source, nullptr);
    glCompileShader(s);
    glAttachShader(program, s);  // deleted once their logs have been read
  }
  glLinkProgram(program);
  unchecked.push_back({name, program});
  return program;
}

void check_started_programs() {
  for (const Started& p : unchecked) {
    GLuint shaders[2];
    GLsizei count = 0;
    glGetAttachedShaders(p.program, 2, &count, shaders);
    for (GLsizei i = 0; i < count; i++) {
      report_failure(p.name, "shader", shaders[i], GL_COMPILE_STATUS, glGetShaderiv, glGetShaderInfoLog);
      glDeleteShader(shaders[i]);  // freed with the program
    }
    report_failure(p.name, "program", p.program, GL_LINK_STATUS, glGetProgramiv, glGetProgramInfoLog);
  }
  unchecked.clear();
}
