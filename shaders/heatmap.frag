#version 300 es
// Colours one float per cell of u_data (R32F, texelFetch: no filtering, exact values) into a
// picture of cell_pixels per cell, on a colour scale of three stops (web/gfx/palette.h: grayscale,
// diverging blue…white…red, sequential purple…yellow): v/scale runs from lowest (0, or −1 for
// a diverging map) to 1, linear between the low, mid and high stops — the legend bars draw the
// same. NaN cells are the background between tiles of an atlas. With the grid, thin lines
// separate cells.
precision highp float;
precision highp sampler2D;
uniform sampler2D u_data;  // texture unit 0, a sampler's default
in vec2 v_uv;
flat in vec4 v_low, v_mid, v_high;
flat in float v_grid;
out vec4 o_color;

void main() {
  float lowest = v_low.a, scale = v_mid.a, cell_pixels = v_high.a;
  ivec2 size = textureSize(u_data, 0);
  vec2 pos = v_uv * vec2(size);
  ivec2 cell = clamp(ivec2(pos), ivec2(0), size - 1);
  float v = texelFetch(u_data, cell, 0).r;
  if (isnan(v)) {
    o_color = vec4(0.12, 0.12, 0.14, 1.0);
    return;
  }
  float t = clamp((v / scale - lowest) / (1.0 - lowest), 0.0, 1.0);
  vec3 rgb = t < 0.5 ? mix(v_low.rgb, v_mid.rgb, 2.0 * t) : mix(v_mid.rgb, v_high.rgb, 2.0 * t - 1.0);
  if (v_grid > 0.5 && cell_pixels >= 6.0) {
    vec2 f = fract(pos) * cell_pixels;
    if (f.x < 1.0 || f.y < 1.0) rgb = mix(rgb, vec3(0.5), 0.35);
  }
  o_color = vec4(rgb, 1.0);
}
