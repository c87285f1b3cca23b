// The read view: snapshots published by the writer, read by the network thread.
#include "bot/read_view.hpp"

#include "commands/parser.hpp"
#include "storage/incident_repository.hpp"
#include "storage/location.hpp"

#include <cstdlib>
#include <map>
#include <utility>

namespace warroom::bot {

bool reads_from_memory(const config& cfg) {
    // On SQLite serve holds the writer lock: every commit is this process's.
    // On PostgreSQL other replicas commit too, and this memory would not see
    // their writes: reads go to the database there.
    if (storage::is_postgres_url(cfg.db_path)) return false;
    const char* off = std::getenv("WARROOM_READ_VIEW");
    return !(off && std::string_view(off) == "off");
}

namespace {

std::shared_ptr<read_view::snapshot> empty_snapshot() { return std::make_shared<read_view::snapshot>(); }

}  // namespace

const read_view::entry* read_view::snapshot::find(std::int64_t number) const {
    if (number < 0) return nullptr;
    auto c = static_cast<std::size_t>(number) / chunk_size;
    if (c >= chunks.size() || !chunks[c]) return nullptr;
    return (*chunks[c])[static_cast<std::size_t>(number) % chunk_size].get();
}

read_view::read_view() : current_(empty_snapshot()) {}

std::shared_ptr<const read_view::snapshot> read_view::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void read_view::publish(std::shared_ptr<const snapshot> s) {
    std::shared_ptr<const snapshot> old;  // the last reference, if readers are done, is dropped outside the lock
    {
        std::lock_guard lock(mutex_);
        old = std::exchange(current_, std::move(s));
    }
}

void read_view::load(storage::incident_repository& repo) {
    auto s = std::make_shared<snapshot>();
    // One query each for the open incidents, their timelines, their follow-ups
    // and every incident's channel, grouped here, not two more per incident:
    // with 10,000 open those 20,000 queries were most of the start-up (#16).
    // And built in place: nobody sees this snapshot before it is published, so
    // nothing is copied per incident as refresh must.
    // Resolved incidents only lend their channels: reading them whole (roles,
    // timers, pages...) made the start-up grow with the history, not the open ones.
    std::vector<channel_index::key> keys;
    for (auto& c : repo.incident_channels()) {
        // Each incident is read once, so no key can repeat: refresh's check is not needed.
        if (!c.id.empty()) keys.push_back({std::move(c.id), c.number, true});
        if (!c.name.empty()) keys.push_back({std::move(c.name), c.number, false});
    }
    s->channels = channel_index(std::move(keys));
    std::map<std::int64_t, std::shared_ptr<entry>> open;
    for (auto& inc : repo.list_open()) {
        auto e = std::make_shared<entry>();
        e->inc = std::move(inc);
        open.emplace(e->inc.number, std::move(e));
    }
    // Both lists come by incident, then in the order timeline() and followups_of() give.
    for (auto& t : repo.open_timelines())
        if (auto it = open.find(t.incident); it != open.end()) it->second->timeline.push_back(std::move(t));
    for (auto& f : repo.open_incidents_followups())
        if (auto it = open.find(f.incident); it != open.end()) it->second->followups.push_back(std::move(f));
    std::vector<std::shared_ptr<chunk>> chunks;
    for (auto& [number, e] : open) {
        if (number < 0) continue;
        auto c = static_cast<std::size_t>(number) / chunk_size;
        if (c >= chunks.size()) chunks.resize(c + 1);
        if (!chunks[c]) chunks[c] = std::make_shared<chunk>();
        (*chunks[c])[static_cast<std::size_t>(number) % chunk_size] = std::move(e);
    }
    s->chunks.assign(chunks.begin(), chunks.end());
    s->version = current()->version + 1;
    publish(std::move(s));
}

void read_view::refresh(storage::incident_repository& repo, const std::set<std::int64_t>& numbers) {
    if (numbers.empty()) return;
    // One query each for the incidents, their timelines and their follow-ups,
    // whatever the batch touched (about 50 incidents at 50 connections), not
    // three (and find()'s five) per incident (#16).
    std::vector<std::int64_t> wanted;
    for (auto number : numbers)
        if (number >= 0) wanted.push_back(number);  // no slot holds one below 0
    auto found = repo.find_incidents(wanted);
    std::map<std::int64_t, std::shared_ptr<entry>> open;
    std::vector<std::int64_t> open_numbers;
    for (const auto& inc : found)
        if (inc.is_open()) open_numbers.push_back(inc.number);
    if (!open_numbers.empty()) {
        for (auto& t : repo.timelines_of(open_numbers)) {
            auto& e = open[t.incident];
            if (!e) e = std::make_shared<entry>();
            e->timeline.push_back(std::move(t));
        }
        for (auto& f : repo.followups_of_incidents(open_numbers)) {
            auto& e = open[f.incident];
            if (!e) e = std::make_shared<entry>();
            e->followups.push_back(std::move(f));
        }
    }

    // Only the writer publishes, so reading the current snapshot and replacing it cannot race.
    auto s = std::make_shared<snapshot>(*current());
    // Copy-on-write once per chunk and per bucket the batch touches, however
    // many of its incidents share them; nobody sees these copies before the publish.
    std::map<std::size_t, std::shared_ptr<chunk>> chunks;
    auto slot = [&](std::int64_t number) -> std::shared_ptr<const entry>* {
        auto c = static_cast<std::size_t>(number) / chunk_size;
        auto& copy = chunks[c];
        if (!copy)
            copy = c < s->chunks.size() && s->chunks[c] ? std::make_shared<chunk>(*s->chunks[c]) : std::make_shared<chunk>();
        return &(*copy)[static_cast<std::size_t>(number) % chunk_size];
    };
    std::vector<channel_index::key> added;
    auto index = [&](const std::string& key, std::int64_t number, bool is_id) {
        if (key.empty()) return;
        channel_index::key k{key, number, is_id};
        // Each number comes once, so only the published snapshot can hold this key already.
        if (!s->channels.contains(k)) added.push_back(std::move(k));
    };
    auto it = found.begin();
    for (auto number : wanted) {
        // Both come by number: an incident not found is one that does not exist.
        if (it == found.end() || it->number != number) {
            if (s->find(number)) *slot(number) = nullptr;
            continue;
        }
        auto& inc = *it++;
        // Keys are only added: a stale one names an incident whose channel no
        // longer matches it, and the reader checks that (then falls back).
        index(inc.channel_id, number, true);
        index(inc.channel_name, number, false);
        if (!inc.is_open()) {
            if (s->find(number)) *slot(number) = nullptr;
            continue;
        }
        auto& e = open[number];
        if (!e) e = std::make_shared<entry>();  // no timeline, no follow-ups
        e->inc = std::move(inc);
        *slot(number) = std::move(e);
    }
    for (auto& [c, copy] : chunks) {
        if (c >= s->chunks.size()) s->chunks.resize(c + 1);
        s->chunks[c] = std::move(copy);
    }
    s->channels.add(std::move(added));  // s is this publish's own copy: readers keep theirs
    ++s->version;
    publish(std::move(s));
}

void read_view::invalidate() {
    auto s = empty_snapshot();
    s->usable = false;
    s->version = current()->version + 1;
    publish(std::move(s));
}

const read_view::entry* snapshot_store::entry_of(std::int64_t number) {
    const auto* e = s_->find(number);
    if (!e) missed_ = true;  // resolved, or never there: the database knows
    return e;
}

std::optional<commands::incident> snapshot_store::find(std::int64_t number) {
    if (const auto* e = entry_of(number)) return e->inc;
    return std::nullopt;
}

std::optional<commands::incident> snapshot_store::find_by_channel(std::string_view channel) {
    auto number = s_->number_of(channel);
    if (!number) return std::nullopt;  // no incident's channel: exact
    const auto* e = entry_of(*number);
    if (!e) return std::nullopt;
    // A key the incident no longer has (renamed): only the database can say whose it is now.
    if (e->inc.channel_id != channel && e->inc.channel_name != channel) return miss<std::optional<commands::incident>>();
    return e->inc;
}

std::vector<commands::incident> snapshot_store::list_open() {
    // Every open incident is in the view, in number order as the database lists them.
    std::vector<commands::incident> out;
    for (const auto& c : s_->chunks)
        if (c)
            for (const auto& e : *c)
                if (e) out.push_back(e->inc);
    return out;
}

std::vector<commands::timeline_entry> snapshot_store::timeline(std::int64_t number) {
    if (const auto* e = entry_of(number)) return e->timeline;
    return {};
}

std::vector<commands::followup> snapshot_store::followups_of(std::int64_t incident) {
    if (const auto* e = entry_of(incident)) return e->followups;
    return {};
}

view_reader::view_reader(const read_view& view, const config& cfg, const clock& clk)
    : view_(view), engine_(cfg.settings, templates::renderer(cfg.settings.templates_dir)), clock_(clk) {}

std::optional<commands::message> view_reader::try_answer(const commands::request& req) const {
    // Only commands that never write; anything else (and their variants that
    // post, like `timeline all`) goes to the database thread.
    auto verb = commands::command_line(req.text).verb();
    if (verb != "show" && verb != "list" && verb != "timeline") return std::nullopt;
    auto snap = view_.current();
    if (!snap->usable) return std::nullopt;
    snapshot_store store(std::move(snap));
    commands::decision d;
    try {
        d = engine_.handle(req, store, clock_.now());
    } catch (const std::exception&) {
        // The database path meets the same failure and answers it as it always has (logged there, once).
        return std::nullopt;
    }
    if (store.missed()) return std::nullopt;
    if (d.save || !d.timeline.empty() || !d.actions.empty() || !d.followups.empty() || d.next_digest)
        return std::nullopt;
    return std::move(d.reply);
}

}  // namespace warroom::bot
