#version 300 es
// Colours one float per cell of u_data (R32F, texelFetch: no filtering, exact values) into a
// picture u_cell pixels per cell, on a colour scale of three stops (web/gfx/palette.h: grayscale,
// diverging blue…white…red, sequential purple…yellow): v/u_scale runs from u_lowest (0, or −1 for
// a diverging map) to 1, linear between u_low, u_mid and u_high — the legend bars draw the same.
// NaN cells are the background between tiles of an atlas. With u_grid, thin lines separate cells.
precision highp float;
precision highp sampler2D;
uniform sampler2D u_data;
uniform vec3 u_low, u_mid, u_high;
uniform float u_lowest;
uniform float u_scale;
uniform float u_cell;
uniform bool u_grid;
in vec2 v_uv;
out vec4 o_color;

void main() {
  ivec2 size = textureSize(u_data, 0);
  vec2 pos = v_uv * vec2(size);
  ivec2 cell = clamp(ivec2(pos), ivec2(0), size - 1);
  float v = texelFetch(u_data, cell, 0).r;
  if (isnan(v)) {
    o_color = vec4(0.12, 0.12, 0.14, 1.0);
    return;
  }
  float t = clamp((v / u_scale - u_lowest) / (1.0 - u_lowest), 0.0, 1.0);
  vec3 rgb = t < 0.5 ? mix(u_low, u_mid, 2.0 * t) : mix(u_mid, u_high, 2.0 * t - 1.0);
  if (u_grid && u_cell >= 6.0) {
    vec2 f = fract(pos) * u_cell;
    if (f.x < 1.0 || f.y < 1.0) rgb = mix(rgb, vec3(0.5), 0.35);
  }
  o_color = vec4(rgb, 1.0);
}
