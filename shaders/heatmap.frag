#version 300 es
// Colours one float per cell of u_data (R32F, texelFetch: no filtering, exact values) into a
// picture u_cell pixels per cell:
//   u_map 0 grayscale   v in [0,1] → black…white (the digit as the network sees it)
//   u_map 1 diverging   v/u_scale in [−1,1] → blue…white…red (weights, gradients: sign matters)
//   u_map 2 sequential  v/u_scale in [0,1] → dark purple…yellow (activations, magnitudes)
// NaN cells are the background between tiles of an atlas. With u_grid, thin lines separate cells.
precision highp float;
precision highp sampler2D;
uniform sampler2D u_data;
uniform int u_map;
uniform float u_scale;
uniform float u_cell;
uniform bool u_grid;
in vec2 v_uv;
out vec4 o_color;

vec3 diverging(float t) {  // t in [−1,1]
  vec3 blue = vec3(0.13, 0.40, 0.67), white = vec3(0.97), red = vec3(0.70, 0.09, 0.17);
  return t < 0.0 ? mix(white, blue, -t) : mix(white, red, t);
}

vec3 sequential(float t) {  // a short viridis-like ramp, t in [0,1]
  vec3 a = vec3(0.27, 0.00, 0.33), b = vec3(0.13, 0.57, 0.55), c = vec3(0.99, 0.91, 0.14);
  return t < 0.5 ? mix(a, b, t * 2.0) : mix(b, c, t * 2.0 - 1.0);
}

void main() {
  ivec2 size = textureSize(u_data, 0);
  vec2 pos = v_uv * vec2(size);
  ivec2 cell = clamp(ivec2(pos), ivec2(0), size - 1);
  float v = texelFetch(u_data, cell, 0).r;
  if (isnan(v)) {
    o_color = vec4(0.12, 0.12, 0.14, 1.0);
    return;
  }
  vec3 rgb;
  if (u_map == 0) rgb = vec3(clamp(v, 0.0, 1.0));
  else if (u_map == 1) rgb = diverging(clamp(v / u_scale, -1.0, 1.0));
  else rgb = sequential(clamp(v / u_scale, 0.0, 1.0));
  if (u_grid && u_cell >= 6.0) {
    vec2 f = fract(pos) * u_cell;
    if (f.x < 1.0 || f.y < 1.0) rgb = mix(rgb, vec3(0.5), 0.35);
  }
  o_color = vec4(rgb, 1.0);
}
