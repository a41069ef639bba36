#include "setup_link.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "error.h"

namespace convlab {

namespace {

const char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_decode(const std::string& text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const char* at = c ? std::strchr(kBase64Url, c) : nullptr;
    if (!at) throw Error("the link is damaged (\"" + std::string(1, c) + "\" is not a base64url character)");
    bits = (bits << 6) | (uint32_t)(at - kBase64Url), count += 6;
    if (count >= 8) out += (char)((bits >> (count -= 8)) & 0xff);
  }
  return out;
}

}  // namespace

// Without padding: the fragment stays URL-safe as it is.
std::string base64url_encode(const std::string& bytes) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c, count += 8;
    while (count >= 6) out += kBase64Url[(bits >> (count -= 6)) & 63];
  }
  if (count) out += kBase64Url[(bits << (6 - count)) & 63];
  return out;
}

std::string setup_fragment(const NetworkSpec& spec, const TrainSettings& settings) {
  const nlohmann::json j = {{"spec", nlohmann::json::parse(spec_to_json(spec))}, {"train", settings_to_json(settings)}};
  return "setup=1." + base64url_encode(j.dump());
}

Setup parse_setup_fragment(const std::string& fragment) {
  std::string f = fragment.size() && fragment[0] == '#' ? fragment.substr(1) : fragment;
  if (f.size() > kMaxSetupFragmentBytes)
    throw Error("the link's setup has " + std::to_string(f.size()) + " characters, more than a setup can have (" +
                std::to_string(kMaxSetupFragmentBytes) + ")");
  if (f.rfind("setup=", 0) != 0) throw Error("the link does not carry a setup (it should end in #setup=…)");
  f = f.substr(6);
  const size_t dot = f.find('.');
  if (dot == std::string::npos) throw Error("the link's setup has no version");
  if (f.substr(0, dot) != "1")
    throw Error("the link's setup is version " + f.substr(0, std::min<size_t>(dot, 8)) + "; this page reads version 1");
  const nlohmann::json j = nlohmann::json::parse(base64url_decode(f.substr(dot + 1)), nullptr, false);
  if (!j.is_object() || !j.contains("spec") || !j.contains("train") || !j["train"].is_object())
    throw Error("the link is damaged (its setup is not the JSON of a spec and training settings)");
  Setup s;
  s.spec = parse_spec(j["spec"].dump());  // an impossible network: the spec's own message
  s.settings = settings_from_json(j["train"], true);
  return s;
}

}  // namespace convlab
