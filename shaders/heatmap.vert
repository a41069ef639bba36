#version 300 es
// A full-target quad from gl_VertexID alone (no vertex buffers): two triangles, uv in [0,1]².
out vec2 v_uv;
void main() {
  const vec2 corners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(0, 1), vec2(1, 0), vec2(1, 1));
  vec2 c = corners[gl_VertexID];
  v_uv = vec2(c.x, 1.0 - c.y);  // row 0 of the data at the top of the picture
  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
