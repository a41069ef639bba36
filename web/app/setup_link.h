// A setup — the Build panel's architecture and the Train panel's settings, no weights — as a URL
// fragment that a link carries: "setup=1.<base64url of {"spec": …, "train": …}>" (1: the version).
#pragma once
#include <string>

#include "spec.h"
#include "trainer.h"

namespace convlab {

constexpr size_t kMaxSetupFragmentBytes = 8192;  // links longer than this are refused unread

struct Setup {
  NetworkSpec spec;
  TrainSettings settings;
};

std::string setup_fragment(const NetworkSpec& spec, const TrainSettings& settings);
std::string base64url_encode(const std::string& bytes);  // RFC 4648 §5, without padding
// The fragment (with or without its "#"); throws Error saying what is wrong: not a setup, another
// version, too long, not base64url, not JSON, an unknown or out-of-range setting, an impossible
// network (the spec's own message).
Setup parse_setup_fragment(const std::string& fragment);

}  // namespace convlab
