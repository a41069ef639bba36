// Dear ImGui's draw data on WebGL2 with shaders/ui.{vert,frag}, in place of the stock OpenGL3
// backend. That backend reads back some twenty pieces of GL state every frame to restore them
// afterwards; in Chromium several of those reads (scissor box, blend functions, viewport) are
// synchronous, so each frame waited for the GPU to finish the one before (26 ms a frame under
// SwiftShader, time the frame loop now spends training). The page owns all of its GL state: this
// renderer sets what it needs and restores nothing.
//
// It draws into a texture of the canvas's size and redraws there only the rectangles whose
// geometry, colours or textures changed since the last frame (damage.h), then copies the texture
// to the canvas: while training, most of a frame is the same as the one before, and a software
// GPU would fill every pixel of it again.
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
