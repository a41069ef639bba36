#include "ui_renderer.h"

#include <GLES3/gl3.h>

#include <cstddef>

#include "gl_program.h"
#include "shaders.h"

namespace {

struct {
  GLuint program = 0, vao = 0, vertices = 0, indices = 0, font = 0;
  bool checked = false;
  GLint projection = -1, texture = -1;
} gl;

}  // namespace

void ui_renderer_init() {
  gl.program = start_program(kShader_ui_vert, kShader_ui_frag);
  glGenVertexArrays(1, &gl.vao);
  glGenBuffers(1, &gl.vertices);
  glGenBuffers(1, &gl.indices);
  glBindVertexArray(gl.vao);
  glBindBuffer(GL_ARRAY_BUFFER, gl.vertices);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, gl.indices);  // recorded in the vertex array
  glEnableVertexAttribArray(0);
  glEnableVertexAttribArray(1);
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert), (void*)offsetof(ImDrawVert, pos));
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert), (void*)offsetof(ImDrawVert, uv));
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(ImDrawVert), (void*)offsetof(ImDrawVert, col));
  glBindVertexArray(0);
  ImGui::GetIO().BackendRendererName = "convlab_webgl2";
}

void ui_renderer_upload_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  if (!gl.font) glGenTextures(1, &gl.font);
  glBindTexture(GL_TEXTURE_2D, gl.font);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  io.Fonts->SetTexID((ImTextureID)(intptr_t)gl.font);
}

void ui_renderer_draw(const ImDrawData* data) {
  const ImVec2 scale = data->FramebufferScale, origin = data->DisplayPos;
  const int fb_w = (int)(data->DisplaySize.x * scale.x), fb_h = (int)(data->DisplaySize.y * scale.y);
  if (fb_w <= 0 || fb_h <= 0) return;
  if (!gl.checked) {
    check_program("ui", gl.program);
    gl.projection = glGetUniformLocation(gl.program, "u_projection");
    gl.texture = glGetUniformLocation(gl.program, "u_texture");
    gl.checked = true;
  }
  glViewport(0, 0, fb_w, fb_h);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  glEnable(GL_SCISSOR_TEST);
  const float l = origin.x, r = origin.x + data->DisplaySize.x, t = origin.y, b = origin.y + data->DisplaySize.y;
  const float projection[16] = {2 / (r - l),       0, 0, 0, 0, 2 / (t - b), 0, 0, 0, 0, -1, 0,
                                (r + l) / (l - r), (t + b) / (b - t), 0, 1};
  glUseProgram(gl.program);
  glUniformMatrix4fv(gl.projection, 1, GL_FALSE, projection);
  glUniform1i(gl.texture, 0);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(gl.vao);
  for (int n = 0; n < data->CmdListsCount; n++) {
    const ImDrawList* list = data->CmdLists[n];
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)list->VtxBuffer.Size * sizeof(ImDrawVert), list->VtxBuffer.Data,
                 GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)list->IdxBuffer.Size * sizeof(ImDrawIdx), list->IdxBuffer.Data,
                 GL_STREAM_DRAW);
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        continue;
      }
      // the clip rectangle in framebuffer pixels, y up for glScissor
      const float x0 = (cmd.ClipRect.x - origin.x) * scale.x, y0 = (cmd.ClipRect.y - origin.y) * scale.y;
      const float x1 = (cmd.ClipRect.z - origin.x) * scale.x, y1 = (cmd.ClipRect.w - origin.y) * scale.y;
      if (x1 <= x0 || y1 <= y0) continue;
      glScissor((int)x0, (int)(fb_h - y1), (int)(x1 - x0), (int)(y1 - y0));
      glBindTexture(GL_TEXTURE_2D, (GLuint)(intptr_t)cmd.GetTexID());
      glDrawElements(GL_TRIANGLES, (GLsizei)cmd.ElemCount, sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                     (void*)(intptr_t)(cmd.IdxOffset * sizeof(ImDrawIdx)));
    }
  }
  glBindVertexArray(0);
  glDisable(GL_SCISSOR_TEST);
}
