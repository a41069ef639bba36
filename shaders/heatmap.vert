#version 300 es
// A full-target quad from gl_VertexID alone (no vertex buffers): two triangles, uv in [0,1]².
// Data row 0 goes to the render target's row 0, its first row in memory. ImGui::Image samples a
// texture's first row at the top of the picture (uv (0,0) is the top-left corner), so data row 0
// shows at the top — as the canvas, the MNIST images and every map are laid out, row 0 on top.
out vec2 v_uv;
void main() {
  const vec2 corners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(0, 1), vec2(1, 0), vec2(1, 1));
  vec2 c = corners[gl_VertexID];
  v_uv = c;
  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
