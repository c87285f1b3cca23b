// The log lines of a background loop's failing episode (loop_health.hpp).
#include "bot/loop_health.hpp"

#include "commands/text.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

std::optional<std::chrono::seconds> loop_health::report(std::string_view what, std::string_view kept,
                                                        const std::string& failure, time_point now) {
    if (!failure.empty()) {
        auto f = failed(failure, now);
        if (f.first) spdlog::error("{} failed: {}; retrying with backoff{}", what, failure, kept);
        return f.wait;
    }
    if (auto since = succeeded()) spdlog::info("{} works again after {}", what, commands::format_duration(now - *since));
    return std::nullopt;
}

}  // namespace warroom::bot
