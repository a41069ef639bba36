// Dear ImGui's draw data on WebGL2 with shaders/ui.{vert,frag}, in place of the stock OpenGL3
// backend. That backend reads back some twenty pieces of GL state every frame to restore them
// afterwards; in Chromium several of those reads (scissor box, blend functions, viewport) are
// synchronous, so each frame waited for the GPU to finish the one before (26 ms a frame under
// SwiftShader). The page owns all of its GL state: this renderer sets what it needs and restores
// nothing.
//
// It redraws only the rectangles whose triangles, colours or textures changed since the last
// frame (damage.h); the canvas keeps the rest (its context has preserveDrawingBuffer, web/host.js),
// and a frame where nothing changed makes no GL call. While training, most of a frame is the same
// as the one before, and a software GPU would fill every pixel of it again on the trainer's core.
#pragma once
#include <cstdint>

#include "imgui.h"

void ui_renderer_init();
// (Re)uploads the font atlas; call after building or rebuilding it.
void ui_renderer_upload_fonts();
// Draws a frame on `background`; returns the pixels redrawn (the canvas's at the first frame).
int64_t ui_renderer_draw(const ImDrawData* data, const ImVec4& background);
// The pixels of `texture` changed (an image drawn with it must be redrawn where it shows).
void ui_texture_changed(ImTextureID texture);
// The next frame redraws the whole canvas (the test hook compares that with what the damaged
// rectangles made of it).
void ui_renderer_redraw_all();
