// convlab — the engine from the command line:
//   convlab describe SPEC
//   convlab train --spec SPEC --epochs N --seed S --out MODEL [DATA] [--class-names A,B,…] [--optimizer JSON]
//                 [--batch N] [--shift PX] [--rotate DEG] [--schedule S] [--weights-only]
//   convlab eval MODEL [DATA]
// SPEC is a JSON file, inline JSON, or a preset name ("LeNet-like", "Tiny", …). DATA is --data DIR
// (MNIST's file names, dotted or dashed, t10k-* for the test set, optionally .gz) or the four files
// named: --train-images F --train-labels F --test-images F --test-labels F.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>

#include "network.h"
#include "presets.h"
#include "train.h"

using namespace convlab;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open");
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string resolve_spec(const std::string& arg) {
  for (const Preset& p : kPresets)
    if (arg == p.name) return p.spec;
  if (!arg.empty() && arg[0] == '{') return arg;
  return read_text(arg);
}

// An IDX file, gzip-compressed or not (zlib reads both).
IdxArray read_idx(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open");
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  int got;
  while ((got = gzread(f, buffer, sizeof buffer)) > 0) {
    bytes.insert(bytes.end(), buffer, buffer + got);
    if (bytes.size() > (size_t)1 << 30) break;  // parse_idx names the size
  }
  const bool failed = got < 0;
  gzclose(f);
  if (failed) throw Error(path + ": not a readable gzip or IDX file");
  return parse_idx(bytes.data(), bytes.size(), path);
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// DIR/<one of MNIST's names for this file>, dotted (train-images.idx3-ubyte) or dashed
// (train-images-idx3-ubyte), gzip or not; the test set may be called t10k.
std::string find_in(const std::string& dir, const std::string& part, const std::string& kind) {
  for (const std::string& set : part == "train" ? std::vector<std::string>{"train"} : std::vector<std::string>{"test", "t10k"})
    for (const char* sep : {".", "-"})
      for (const char* gz : {"", ".gz"}) {
        const std::string path = dir + "/" + set + "-" + kind + sep + (kind == "images" ? "idx3" : "idx1") + "-ubyte" + gz;
        if (exists(path)) return path;
      }
  throw Error(dir + ": no " + part + " " + kind + " file (looked for " + part + "-" + kind + ".idx" +
              (kind == "images" ? "3" : "1") + "-ubyte and its dashed, t10k and .gz variants); or name the files with --" +
              part + "-" + kind);
}

struct Data {
  Dataset train, test;
};
Data load_data(std::map<std::string, std::string>& opt) {
  auto path = [&](const std::string& part, const std::string& kind) {
    const std::string key = part + "-" + kind;
    return opt.count(key) ? opt[key] : find_in(opt["data"], part, kind);
  };
  Data d;
  for (const std::string part : {"train", "test"}) {
    const std::string images = path(part, "images"), labels = path(part, "labels");
    (part == "train" ? d.train : d.test) = make_dataset(read_idx(images), read_idx(labels), images, labels);
  }
  return d;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    names.push_back(text.substr(start, comma - start));
  names.push_back(text.substr(start));
  return names;
}

void print_table(const Network& net) {
  std::printf("%-3s %-14s %-14s %10s %8s %12s\n", "#", "layer", "output", "params", "RF", "FLOPs");
  for (size_t i = 0; i < net.info().size(); i++) {
    const LayerInfo& f = net.info()[i];
    char shape[32], rf[16];
    std::snprintf(shape, sizeof shape, "%dx%dx%d", f.out.c, f.out.h, f.out.w);
    std::snprintf(rf, sizeof rf, "%dx%d", f.receptive_field.h, f.receptive_field.w);
    std::printf("%-3zu %-14s %-14s %10llu %8s %12llu\n", i + 1, layer_type_name(net.spec().layers[i].type), shape,
                (unsigned long long)f.params(), rf, (unsigned long long)f.flops);
  }
  std::printf("total parameters %zu\n", net.param_count());
}

constexpr int kDefaultThreadsCap = 8;

int usage() {
  std::fprintf(stderr,
               "usage: convlab describe SPEC\n"
               "       convlab train --spec SPEC --epochs N --seed S --out MODEL [DATA] [--class-names A,B,...]\n"
               "                     [--optimizer JSON] [--batch N] [--shift PX] [--rotate DEG] [--schedule S]\n"
               "                     [--threads N] [--weights-only]\n"
               "       convlab eval MODEL [DATA] [--threads N]\n"
               "  DATA       --data DIR (default build/data): MNIST's file names, e.g. train-images.idx3-ubyte or\n"
               "             train-images-idx3-ubyte.gz, t10k-* for the test set; or the four files named:\n"
               "             --train-images F --train-labels F --test-images F --test-labels F\n"
               "  --class-names  the classes' names, kept in the model file (default: unnamed, 0..N-1)\n"
               "  --schedule constant | step:EPOCHS:GAMMA (lr × GAMMA every EPOCHS) | cosine[:MIN] (to lr × MIN at the end)\n"
               "  --threads  training/inference threads (default: this machine's cores, at most %d); results do not\n"
               "             depend on it\n",
               kDefaultThreadsCap);
  return 2;
}

int threads_of(std::map<std::string, std::string>& opt) {
  if (opt.count("threads")) return std::stoi(opt["threads"]);
  return std::clamp((int)std::thread::hardware_concurrency(), 1, kDefaultThreadsCap);
}

// "cosine", "cosine:0.05", "step:1:0.88", "constant" → a schedule in steps of this run.
LrSchedule schedule_of(const std::string& text, int epochs, uint64_t steps_per_epoch) {
  LrSchedule s;
  auto part = [&](size_t i) {
    size_t start = 0;
    for (size_t k = 0; k < i; k++) start = text.find(':', start) + 1;
    return text.substr(start, text.find(':', start) - start);
  };
  if (text == "constant") return s;
  if (text.rfind("cosine", 0) == 0) {
    s.kind = LrSchedule::Cosine, s.steps = std::max<uint64_t>(1, (uint64_t)epochs * steps_per_epoch);
    if (text.find(':') != std::string::npos) s.min_factor = std::stof(part(1));
    return s;
  }
  if (text.rfind("step:", 0) == 0) {
    s.kind = LrSchedule::Step, s.every = std::max<uint64_t>(1, (uint64_t)(std::stod(part(1)) * steps_per_epoch));
    s.gamma = std::stof(part(2));
    return s;
  }
  throw Error("--schedule " + text + ": use constant, step:EPOCHS:GAMMA or cosine[:MIN]");
}

int train(std::map<std::string, std::string>& opt) {
  for (const char* key : {"spec", "epochs", "seed", "out"})
    if (!opt.count(key)) throw Error(std::string("train: --") + key + " is required");
  Data data = load_data(opt);
  Network net(resolve_spec(opt["spec"]), std::stoull(opt["seed"]));
  if (opt.count("class-names")) net.set_class_names(split_names(opt["class-names"]));
  check_fits(net, data.train);
  check_fits(net, data.test);
  net.set_threads(threads_of(opt));
  TrainingRun run(data.train, std::stoull(opt["seed"]) + 1);
  run.batch_size = opt.count("batch") ? std::stoi(opt["batch"]) : 32;
  run.augment.max_shift_px = opt.count("shift") ? std::stof(opt["shift"]) : 0.0f;
  run.augment.max_rotate_deg = opt.count("rotate") ? std::stof(opt["rotate"]) : 0.0f;
  const int epochs = std::stoi(opt["epochs"]);
  OptimizerConfig o = parse_optimizer(opt.count("optimizer") ? opt["optimizer"] : R"({"type":"sgd","lr":0.05,"momentum":0.9})");
  if (opt.count("schedule"))
    o.schedule = schedule_of(opt["schedule"], epochs, (data.train.n + run.batch_size - 1) / run.batch_size);
  net.set_optimizer(o);
  std::printf("%d threads; optimizer %s\n", net.threads(), optimizer_to_json(o).c_str());
  const bool tty = isatty(fileno(stdout));
  print_table(net);
  for (int epoch = 1; epoch <= epochs; epoch++) {
    auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int batches = 0;
    while (run.epoch() < epoch) {
      loss_sum += run.step(net), batches++;
      if (tty && batches % 10 == 0) {
        int done = run.position() ? run.position() : data.train.n, width = 30;
        int bar = done * width / data.train.n;
        std::printf("\repoch %d/%d [%.*s%*s] %d/%d loss %.4f", epoch, epochs, bar, "==============================",
                    width - bar, "", done, data.train.n, loss_sum / batches);
        std::fflush(stdout);
      }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Evaluation e = evaluate(net, data.test);
    std::printf("%sepoch %d/%d  train loss %.4f  test accuracy %.2f%%  %.0f examples/s  lr %.5f\n", tty ? "\r" : "",
                epoch, epochs, loss_sum / batches, 100.0 * e.accuracy(), data.train.n / seconds,
                net.optimizer().lr_at(net.steps()));
    std::fflush(stdout);
  }
  auto bytes = net.save(!opt.count("weights-only"));
  std::ofstream out(opt["out"], std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
  if (!out) throw Error(opt["out"] + ": cannot write");
  std::printf("wrote %s (%zu bytes)\n", opt["out"].c_str(), bytes.size());
  return 0;
}

int eval(const std::string& path, std::map<std::string, std::string>& opt) {
  std::string text = read_text(path);
  Network net = Network::load(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  net.set_threads(threads_of(opt));
  Data data = load_data(opt);
  check_fits(net, data.test);
  print_table(net);
  Evaluation e = evaluate(net, data.test);
  std::printf("test accuracy %.2f%% (%d images), mean loss %.4f\n", 100.0 * e.accuracy(), data.test.n, e.mean_loss());
  if (!net.class_names().empty()) {
    std::printf("%-16s %8s\n", "class", "accuracy");
    for (int c = 0; c < net.classes(); c++) {
      int total = 0;
      for (int p = 0; p < net.classes(); p++) total += e.count(c, p);
      std::printf("%-16s %7.2f%%\n", net.class_name(c).c_str(), total ? 100.0 * e.count(c, c) / total : 0.0);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  std::map<std::string, std::string> opt{{"data", "build/data"}};
  std::string positional;
  for (int i = 2; i < argc; i++) {
    if (std::strcmp(argv[i], "--weights-only") == 0) {
      opt["weights-only"] = "1";
    } else if (std::strncmp(argv[i], "--", 2) == 0) {
      if (i + 1 >= argc) return usage();
      opt[argv[i] + 2] = argv[i + 1];
      i++;
    } else {
      positional = argv[i];
    }
  }
  try {
    if (cmd == "describe" && !positional.empty()) {
      Network net(resolve_spec(positional), 0);
      print_table(net);
      std::printf("%s\n", net.describe().c_str());
      return 0;
    }
    if (cmd == "train") return train(opt);
    if (cmd == "eval" && !positional.empty()) return eval(positional, opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convlab: %s\n", e.what());
    return 1;
  }
  return usage();
}
