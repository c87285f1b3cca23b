// Where "now" comes from: the system clock in production, a hand-driven one in tests.
#pragma once

#include "commands/settings.hpp"

#include <chrono>

namespace warroom::bot {

class clock {
public:
    virtual ~clock() = default;
    virtual commands::time_point now() const = 0;
    // Deadlines are whole seconds (now()); sleeping until one and measuring
    // how late it fired need the sub-second part. A hand-driven clock has none.
    virtual std::chrono::system_clock::time_point precise_now() const { return now(); }
};

class system_clock final : public clock {
public:
    commands::time_point now() const override {
        return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    }
    std::chrono::system_clock::time_point precise_now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace warroom::bot
