#include "bot/log_format.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <regex>

namespace warroom::bot {

namespace {

thread_local log_context current_context;

// Shared by every sink; guarded because secrets are added after the logger exists.
std::mutex secrets_mutex;
std::vector<std::string> log_secrets;

std::vector<std::string> secrets_snapshot() {
    std::lock_guard lock(secrets_mutex);
    return log_secrets;
}

std::string iso8601_utc(spdlog::log_clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    if (ms % 1000 < 0) --secs;  // before 1970: keep the milliseconds positive
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
    return buf;
}

std::optional<std::int64_t> incident_named_in(std::string_view text) {
    static const std::regex inc(R"(\bINC-([0-9]{1,15})\b)");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(text.begin(), text.end(), m, inc)) return std::nullopt;
    return std::stoll(m[1].str());
}

// Writes whole lines to stderr, redacted, as text or JSON.
class stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit stderr_sink(log_format format) : format_(format) {}

protected:
    void sink_it_(const spdlog::details::log_msg& original) override {
        // The message is redacted before it is formatted, so a secret cannot
        // slip through in an escaped (JSON) form either.
        auto secrets = secrets_snapshot();
        std::string payload(original.payload.data(), original.payload.size());
        if (!secrets.empty()) payload = redact(std::move(payload), secrets);
        spdlog::details::log_msg msg = original;
        msg.payload = spdlog::string_view_t(payload.data(), payload.size());
        std::string line;
        if (format_ == log_format::json) {
            line = json_log_line(msg, current_context);
        } else {
            spdlog::memory_buf_t buf;
            formatter_->format(msg, buf);
            line.assign(buf.data(), buf.size());
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    }
    void flush_() override { std::fflush(stderr); }

private:
    log_format format_;
};

struct throttle_window {
    std::chrono::steady_clock::time_point start;
    std::size_t written = 0;
    std::uint64_t dropped = 0;
};
std::mutex throttle_mutex;
std::map<std::string, throttle_window, std::less<>> throttle_windows;  // keys are a few literals
std::uint64_t throttle_dropped_total = 0;

}  // namespace

bool log_line_allowed(std::string_view key, std::uint64_t& left_out, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(throttle_mutex);
    auto it = throttle_windows.find(key);
    if (it == throttle_windows.end()) it = throttle_windows.emplace(std::string(key), throttle_window{now}).first;
    auto& w = it->second;
    if (now - w.start >= log_interval) {
        w.start = now;
        w.written = 0;
    }
    if (w.written >= log_burst) {
        ++w.dropped;
        ++throttle_dropped_total;
        return false;
    }
    ++w.written;
    left_out = w.dropped;
    w.dropped = 0;
    return true;
}

std::uint64_t log_lines_suppressed() {
    std::lock_guard lock(throttle_mutex);
    return throttle_dropped_total;
}

std::optional<log_format> parse_log_format(std::string_view name) {
    if (name == "text") return log_format::text;
    if (name == "json") return log_format::json;
    return std::nullopt;
}

log_scope::log_scope(log_context ctx) : saved_(std::move(current_context)) { current_context = std::move(ctx); }
log_scope::~log_scope() { current_context = std::move(saved_); }

std::string json_log_line(const spdlog::details::log_msg& msg, const log_context& ctx) {
    using json = nlohmann::ordered_json;
    std::string_view text(msg.payload.data(), msg.payload.size());
    json line;
    line["time"] = iso8601_utc(msg.time);
    auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string(level.data(), level.size());
    line["message"] = std::string(text);
    auto incident = ctx.incident ? ctx.incident : incident_named_in(text);
    if (incident) line["incident"] = "INC-" + std::to_string(*incident);
    if (!ctx.request_id.empty()) line["request_id"] = ctx.request_id;
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        if (s.empty()) continue;
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 10))
            text.replace(at, s.size(), "[redacted]");
    }
    return text;
}

void setup_logging(log_format format, spdlog::level::level_enum level) {
    auto sink = std::make_shared<stderr_sink>(format);
    sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    auto logger = std::make_shared<spdlog::logger>("warroom", std::move(sink));
    logger->set_level(level);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

void add_log_secrets(const std::vector<std::string>& secrets) {
    std::lock_guard lock(secrets_mutex);
    for (const auto& s : secrets)
        if (!s.empty()) log_secrets.push_back(s);
}

}  // namespace warroom::bot
