// Reads without the database thread (#16): an immutable snapshot of the open
// incidents (with what `show`, `list` and `timeline` render: roles, the whole
// timeline, follow-ups) that the writer publishes after each commit, and a
// reader that answers those commands from it on the network thread with its
// own engine. Anything the snapshot cannot answer exactly falls back to the
// database path, so the snapshot is never a second source of truth.
//
// Exact only while this process is the only writer: see reads_from_memory().
#pragma once

#include "bot/channel_index.hpp"
#include "bot/clock.hpp"
#include "bot/config.hpp"
#include "commands/engine.hpp"
#include "commands/store.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::storage {
class incident_repository;
}

namespace warroom::bot {

// THE switch. The view mirrors this process's own commits, so it may answer
// reads only when no other process can commit: SQLite, where `warroom serve`
// holds storage::writer_lock for its whole life (on by default). A backend
// with several writers (PostgreSQL with replicas, branch `pg`) must return
// false here: another replica's commits never reach this memory, and a
// `show` would miss them. WARROOM_READ_VIEW=off turns it off for comparison.
bool reads_from_memory(const config& cfg);

class read_view {
public:
    struct entry {
        commands::incident inc;
        std::vector<commands::timeline_entry> timeline;  // the whole of it, oldest first
        std::vector<commands::followup> followups;       // oldest first
    };
    // Copy-on-write in two levels, so publishing one incident copies a chunk of
    // 64 slots and the chunk pointers, never every incident.
    static constexpr std::size_t chunk_size = 64;
    using chunk = std::array<std::shared_ptr<const entry>, chunk_size>;
    struct snapshot {
        std::vector<std::shared_ptr<const chunk>> chunks;  // chunk i: numbers i*64 .. i*64+63
        // Every channel key any incident ever had (open or not): a key absent
        // here is no incident's channel. A key present may be stale (renamed)
        // or point outside the view; the reader then falls back.
        channel_index channels;
        std::uint64_t version = 0;
        // False once a publish failed: from then on every read goes to the database.
        bool usable = true;

        const entry* find(std::int64_t number) const;
        std::optional<std::int64_t> number_of(std::string_view channel) const { return channels.number_of(channel); }
    };

    read_view();
    // Before serving: every open incident in full, the channel of every incident.
    void load(storage::incident_repository& repo);
    // The writer, after its commit: the committed state of `numbers` replaces
    // theirs (a resolved one leaves the view). Readers keep the snapshot they hold.
    void refresh(storage::incident_repository& repo, const std::set<std::int64_t>& numbers);
    // A publish failed (the committed state could not be read back): the view
    // can no longer be trusted, so it answers nothing until the restart.
    void invalidate();
    std::shared_ptr<const snapshot> current() const;

private:
    void publish(std::shared_ptr<const snapshot> s);
    // Held only to copy or swap the pointer (a reference count, no allocation,
    // no work): building a snapshot happens outside it, so neither side ever
    // waits for the other's work. Not std::atomic<std::shared_ptr>: GCC 12's
    // unlocks its internal lock with a relaxed store after a load, a race
    // ThreadSanitizer rightly reports (test_read_view_threads under TSan).
    mutable std::mutex mutex_;
    std::shared_ptr<const snapshot> current_;
};

// The engine's store over one snapshot. What the snapshot cannot answer
// exactly (an incident not in it, a query over resolved ones, the next
// number...) returns nothing and marks the read `missed`: its decision must be
// thrown away and the command asked of the database.
class snapshot_store : public commands::incident_store {
public:
    explicit snapshot_store(std::shared_ptr<const read_view::snapshot> s) : s_(std::move(s)) {}
    bool missed() const { return missed_; }

    std::optional<commands::incident> find(std::int64_t number) override;
    std::optional<commands::incident> find_by_channel(std::string_view channel) override;
    std::vector<commands::incident> list_open() override;
    std::vector<commands::incident> list_declared_since(commands::time_point) override { return miss<std::vector<commands::incident>>(); }
    std::vector<commands::incident> list_resolved_since(commands::time_point) override { return miss<std::vector<commands::incident>>(); }
    std::vector<commands::incident> recent_open(commands::time_point, std::size_t) override { return miss<std::vector<commands::incident>>(); }
    std::vector<commands::timeline_entry> timeline(std::int64_t number) override;
    std::int64_t next_number() override { return miss<std::int64_t>(); }
    bool channel_name_taken(std::string_view) override { return miss<bool>(); }
    std::optional<commands::followup> find_followup(std::int64_t) override { return miss<std::optional<commands::followup>>(); }
    std::vector<commands::followup> followups_of(std::int64_t incident) override;
    std::vector<commands::followup> open_followups() override { return miss<std::vector<commands::followup>>(); }
    std::vector<commands::followup> followups_created_since(commands::time_point) override { return miss<std::vector<commands::followup>>(); }
    std::int64_t next_followup_id() override { return miss<std::int64_t>(); }

private:
    template <class T>
    T miss() {
        missed_ = true;
        return T{};
    }
    const read_view::entry* entry_of(std::int64_t number);
    std::shared_ptr<const read_view::snapshot> s_;
    bool missed_ = false;
};

// Answers the read-only commands (`show`, `list`, `timeline`) from the view,
// on the caller's thread, with an engine of its own (one reader per thread).
class view_reader {
public:
    view_reader(const read_view& view, const config& cfg, const clock& clk);
    // The engine's answer, or nullopt: not a read this answers, or the view
    // could not answer it exactly (the caller then asks the database).
    std::optional<commands::message> try_answer(const commands::request& req) const;

private:
    const read_view& view_;
    commands::engine engine_;
    const clock& clock_;
};

}  // namespace warroom::bot
