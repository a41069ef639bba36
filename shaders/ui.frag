#version 300 es
// Text and shapes sample the font atlas (white with coverage in alpha), images their own texture.
precision mediump float;
uniform sampler2D u_texture;
in vec2 v_uv;
in vec4 v_color;
out vec4 o_color;
void main() {
  o_color = v_color * texture(u_texture, v_uv);
}
