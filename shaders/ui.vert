#version 300 es
// Dear ImGui's vertices: position in CSS pixels, texture coordinates, colour (RGBA8, normalised).
layout(location = 0) in vec2 a_position;
layout(location = 1) in vec2 a_uv;
layout(location = 2) in vec4 a_color;
// CSS pixels → clip space, y down: scale (xy) and offset (zw), the same for every vertex (a constant
// attribute: web/gfx/gl_program.h says why not a uniform).
layout(location = 3) in vec4 a_projection;
out vec2 v_uv;
out vec4 v_color;
void main() {
  v_uv = a_uv;
  v_color = a_color;
  gl_Position = vec4(a_position * a_projection.xy + a_projection.zw, 0.0, 1.0);
}
