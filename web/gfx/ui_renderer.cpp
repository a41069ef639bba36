#include "ui_renderer.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cstddef>
#include <unordered_map>
#include <vector>

#include "damage.h"
#include "gl_program.h"
#include "shaders.h"

namespace {

struct {
  GLuint program = 0, vao = 0, vertices = 0, indices = 0, font = 0;
  convlab::DamageTracker damage;
  std::unordered_map<intptr_t, uint64_t> generations;  // of each texture's contents
  ImVec4 background;  // of the last frame: another one redraws everything
} gl;

struct Box {
  float x0, y0, x1, y1;  // framebuffer pixels, y down
  bool meets(const convlab::DamageRect& r) const { return x0 < r.x1 + 1 && x1 > r.x0 - 1 && y0 < r.y1 + 1 && y1 > r.y0 - 1; }
};

}  // namespace

void ui_renderer_init() {
  gl.program = start_program("ui", kShader_ui_vert, kShader_ui_frag);
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
  ui_texture_changed(io.Fonts->TexID);
}

void ui_texture_changed(ImTextureID texture) { gl.generations[(intptr_t)texture]++; }
void ui_renderer_redraw_all() { gl.damage.invalidate(); }

int64_t ui_renderer_draw(const ImDrawData* data, const ImVec4& background) {
  const ImVec2 scale = data->FramebufferScale, origin = data->DisplayPos;
  const int fb_w = (int)(data->DisplaySize.x * scale.x), fb_h = (int)(data->DisplaySize.y * scale.y);
  if (fb_w <= 0 || fb_h <= 0) return 0;
  if (background.x != gl.background.x || background.y != gl.background.y || background.z != gl.background.z)
    gl.background = background, gl.damage.invalidate();

  // What each triangle covers and what its pixels depend on, in draw order.
  static std::vector<std::vector<Box>> boxes;  // per list, per triangle (kept: no allocation per frame)
  static std::vector<Box> clips;               // per command, in the order of the lists
  boxes.resize((size_t)data->CmdListsCount);
  clips.clear();
  gl.damage.begin(fb_w, fb_h);
  for (int n = 0; n < data->CmdListsCount; n++) {
    const ImDrawList* list = data->CmdLists[n];
    boxes[n].resize((size_t)list->IdxBuffer.Size / 3);
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      const Box clip{(cmd.ClipRect.x - origin.x) * scale.x, (cmd.ClipRect.y - origin.y) * scale.y,
                     (cmd.ClipRect.z - origin.x) * scale.x, (cmd.ClipRect.w - origin.y) * scale.y};
      clips.push_back(clip);
      if (cmd.UserCallback || clip.x1 <= clip.x0 || clip.y1 <= clip.y0) continue;  // the page adds no callbacks
      const intptr_t texture = (intptr_t)cmd.GetTexID();
      const uint64_t key[2] = {(uint64_t)texture, gl.generations[texture]};
      const uint64_t seed = convlab::hash_bytes(key, sizeof key, convlab::hash_bytes(&clip, sizeof clip, 0));
      for (unsigned i = cmd.IdxOffset; i < cmd.IdxOffset + cmd.ElemCount; i += 3) {
        const ImDrawVert* v[3] = {&list->VtxBuffer[list->IdxBuffer[i]], &list->VtxBuffer[list->IdxBuffer[i + 1]],
                                  &list->VtxBuffer[list->IdxBuffer[i + 2]]};
        Box b{v[0]->pos.x, v[0]->pos.y, v[0]->pos.x, v[0]->pos.y};
        for (const ImDrawVert* p : v)
          b = {std::min(b.x0, p->pos.x), std::min(b.y0, p->pos.y), std::max(b.x1, p->pos.x), std::max(b.y1, p->pos.y)};
        b = {std::max((b.x0 - origin.x) * scale.x, clip.x0), std::max((b.y0 - origin.y) * scale.y, clip.y0),
             std::min((b.x1 - origin.x) * scale.x, clip.x1), std::min((b.y1 - origin.y) * scale.y, clip.y1)};
        boxes[n][i / 3] = b;
        if (b.x1 < b.x0 || b.y1 < b.y0) continue;
        uint64_t h = seed;
        for (const ImDrawVert* p : v) h = convlab::hash_bytes(p, sizeof(ImDrawVert), h);
        gl.damage.add(b.x0, b.y0, b.x1, b.y1, h);
      }
    }
  }
  const std::vector<convlab::DamageRect>& rects = gl.damage.end();

  if (rects.empty()) return 0;  // no GL call: the canvas keeps the last frame's pixels
  glViewport(0, 0, fb_w, fb_h);
  glEnable(GL_SCISSOR_TEST);
  glClearColor(background.x, background.y, background.z, 1.0f);
  for (const convlab::DamageRect& r : rects) {
    glScissor(r.x0, fb_h - r.y1, r.x1 - r.x0, r.y1 - r.y0);
    glClear(GL_COLOR_BUFFER_BIT);
  }
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  const float l = origin.x, r = origin.x + data->DisplaySize.x, t = origin.y, b = origin.y + data->DisplaySize.y;
  glUseProgram(gl.program);
  glVertexAttrib4f(3, 2 / (r - l), 2 / (t - b), (r + l) / (l - r), (t + b) / (b - t));  // a_projection
  glActiveTexture(GL_TEXTURE0);  // u_texture
  glBindVertexArray(gl.vao);
  // Each damaged rectangle gets every triangle that reaches into it, in draw order, scissored to it:
  // its pixels come out as a full redraw would make them.
  static std::vector<ImDrawIdx> indices;
  struct Draw {
    size_t offset, count;
    GLuint texture;
    int x0, y0, x1, y1;
  };
  static std::vector<Draw> draws;
  size_t first_command = 0;  // the list's first entry in clips
  for (int n = 0; n < data->CmdListsCount; first_command += (size_t)data->CmdLists[n++]->CmdBuffer.Size) {
    const ImDrawList* list = data->CmdLists[n];
    indices.clear(), draws.clear();
    for (const convlab::DamageRect& d : rects) {
      size_t command = first_command;
      for (const ImDrawCmd& cmd : list->CmdBuffer) {
        const Box& clip = clips[command++];
        if (cmd.UserCallback || !clip.meets(d)) continue;
        const int x0 = std::max(d.x0, (int)clip.x0), y0 = std::max(d.y0, (int)clip.y0);
        const int x1 = std::min(d.x1, (int)clip.x1), y1 = std::min(d.y1, (int)clip.y1);
        if (x1 <= x0 || y1 <= y0) continue;
        const size_t offset = indices.size();
        for (unsigned i = cmd.IdxOffset; i < cmd.IdxOffset + cmd.ElemCount; i += 3)
          if (boxes[n][i / 3].meets(d)) indices.insert(indices.end(), &list->IdxBuffer[i], &list->IdxBuffer[i] + 3);
        if (indices.size() > offset)
          draws.push_back({offset, indices.size() - offset, (GLuint)(intptr_t)cmd.GetTexID(), x0, y0, x1, y1});
      }
    }
    if (draws.empty()) continue;
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)list->VtxBuffer.Size * sizeof(ImDrawVert), list->VtxBuffer.Data,
                 GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)(indices.size() * sizeof(ImDrawIdx)), indices.data(),
                 GL_STREAM_DRAW);
    for (const Draw& d : draws) {
      glScissor(d.x0, fb_h - d.y1, d.x1 - d.x0, d.y1 - d.y0);
      glBindTexture(GL_TEXTURE_2D, d.texture);
      glDrawElements(GL_TRIANGLES, (GLsizei)d.count, sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                     (void*)(d.offset * sizeof(ImDrawIdx)));
    }
  }
  glBindVertexArray(0);
  glDisable(GL_SCISSOR_TEST);
  return gl.damage.dirty_pixels();
}
