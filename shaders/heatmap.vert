#version 300 es
// A full-target quad from gl_VertexID alone (no vertex buffers): two triangles, uv in [0,1]².
// Data row 0 goes to the render target's row 0, its first row in memory. ImGui::Image samples a
// texture's first row at the top of the picture (uv (0,0) is the top-left corner), so data row 0
// shows at the top — as the canvas, the MNIST images and every map are laid out, row 0 on top.
// The colour scale comes as constant attributes (web/gfx/gl_program.h says why not uniforms) and
// goes on to the fragments unchanged.
layout(location = 1) in vec4 a_low;   // low stop (rgb), lowest value of the scale (a: 0 or −1)
layout(location = 2) in vec4 a_mid;   // mid stop (rgb), the value drawn as 1 (a)
layout(location = 3) in vec4 a_high;  // high stop (rgb), pixels per cell (a)
layout(location = 4) in float a_grid;  // 1: thin lines between cells
out vec2 v_uv;
flat out vec4 v_low, v_mid, v_high;
flat out float v_grid;
void main() {
  const vec2 corners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(0, 1), vec2(1, 0), vec2(1, 1));
  vec2 c = corners[gl_VertexID];
  v_uv = c;
  v_low = a_low;
  v_mid = a_mid;
  v_high = a_high;
  v_grid = a_grid;
  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
