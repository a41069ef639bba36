// Dear ImGui's draw data on WebGL2 with shaders/ui.{vert,frag}, in place of the stock OpenGL3
// backend. That backend reads back some twenty pieces of GL state every frame to restore them
// afterwards; in Chromium several of those reads (scissor box, blend functions, viewport) are
// synchronous, so each frame waited for the GPU to finish the one before (26 ms a frame under
// SwiftShader, time the frame loop now spends training). The page owns all of its GL state: this
// renderer sets what it needs and restores nothing.
#pragma once
#include "imgui.h"

void ui_renderer_init();
// (Re)uploads the font atlas; call after building or rebuilding it.
void ui_renderer_upload_fonts();
void ui_renderer_draw(const ImDrawData* data);
