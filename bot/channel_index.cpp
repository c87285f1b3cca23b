// The read view's channel index: sharded, paged, copy-on-write.
#include "bot/channel_index.hpp"

#include <functional>
#include <iterator>
#include <map>
#include <utility>

namespace warroom::bot {

namespace {

std::size_t hash_of(std::string_view text) { return std::hash<std::string_view>{}(text); }

// The top byte picks the shard; the low bits, the bucket within it.
std::size_t shard_of(std::size_t hash) { return hash >> (8 * sizeof(std::size_t) - 8); }
static_assert(channel_index::shard_count == 256);

// Pages enough for `keys` at max_load a bucket: a power of two, at least one.
std::size_t pages_for(std::size_t keys) {
    std::size_t pages = 1;
    while (keys > pages * channel_index::page_size * channel_index::max_load) pages *= 2;
    return pages;
}

}  // namespace

channel_index::channel_index() : channel_index(std::vector<key>{}) {}

channel_index::channel_index(std::vector<key> keys) {
    size_ = keys.size();
    std::array<std::vector<key>, shard_count> sharded;
    for (auto& k : keys) sharded[shard_of(hash_of(k.text))].push_back(std::move(k));
    std::shared_ptr<const shard> empty;  // one for all the empty shards
    for (std::size_t i = 0; i < shard_count; ++i) {
        if (!sharded[i].empty()) {
            shards_[i] = build(std::move(sharded[i]));
            continue;
        }
        if (!empty) empty = build({});
        shards_[i] = empty;
    }
}

std::shared_ptr<const channel_index::shard> channel_index::build(std::vector<key> keys) {
    auto out = std::make_shared<shard>();
    auto pages = pages_for(keys.size());
    std::vector<std::shared_ptr<bucket>> buckets(pages * page_size);
    for (auto& k : keys) {
        auto& b = buckets[hash_of(k.text) & (buckets.size() - 1)];
        if (!b) b = std::make_shared<bucket>();
        b->push_back(std::move(k));
    }
    for (std::size_t p = 0; p < pages; ++p) {
        auto pg = std::make_shared<page>();
        for (std::size_t i = 0; i < page_size; ++i) (*pg)[i] = std::move(buckets[p * page_size + i]);
        out->pages.push_back(std::move(pg));
    }
    out->keys = keys.size();
    return out;
}

std::shared_ptr<const channel_index::shard> channel_index::added_to(const shard& s, std::vector<key> added) {
    if (s.keys + added.size() > s.pages.size() * page_size * max_load) {
        // Twice the buckets (or more): every key of this shard rehashed once.
        std::vector<key> all;
        all.reserve(s.keys + added.size());
        for (const auto& pg : s.pages)
            for (const auto& b : *pg)
                if (b) all.insert(all.end(), b->begin(), b->end());
        std::move(added.begin(), added.end(), std::back_inserter(all));
        return build(std::move(all));
    }
    auto out = std::make_shared<shard>(s);
    out->keys += added.size();
    auto mask = s.pages.size() * page_size - 1;
    std::map<std::size_t, std::shared_ptr<bucket>> buckets;
    for (auto& k : added) {
        auto i = hash_of(k.text) & mask;
        auto& copy = buckets[i];
        if (!copy) {
            const auto& now = (*s.pages[i / page_size])[i % page_size];
            copy = now ? std::make_shared<bucket>(*now) : std::make_shared<bucket>();
        }
        copy->push_back(std::move(k));
    }
    std::map<std::size_t, std::shared_ptr<page>> pages;
    for (auto& [i, copy] : buckets) {
        auto& pg = pages[i / page_size];
        if (!pg) pg = std::make_shared<page>(*s.pages[i / page_size]);
        (*pg)[i % page_size] = std::move(copy);
    }
    for (auto& [p, pg] : pages) out->pages[p] = std::move(pg);
    return out;
}

void channel_index::add(std::vector<key> added) {
    size_ += added.size();
    std::map<std::size_t, std::vector<key>> by_shard;
    for (auto& k : added) by_shard[shard_of(hash_of(k.text))].push_back(std::move(k));
    for (auto& [i, keys] : by_shard) shards_[i] = added_to(*shards_[i], std::move(keys));
}

const channel_index::bucket* channel_index::bucket_of(std::size_t hash) const {
    const auto& s = *shards_[shard_of(hash)];
    auto i = hash & (s.pages.size() * page_size - 1);
    return (*s.pages[i / page_size])[i % page_size].get();
}

bool channel_index::contains(const key& k) const {
    if (const auto* b = bucket_of(hash_of(k.text)))
        for (const auto& have : *b)
            if (have.text == k.text && have.number == k.number && have.is_id == k.is_id) return true;
    return false;
}

std::optional<std::int64_t> channel_index::number_of(std::string_view channel) const {
    if (channel.empty()) return std::nullopt;
    const auto* b = bucket_of(hash_of(channel));
    if (!b) return std::nullopt;
    std::optional<std::int64_t> by_id, by_name;
    for (const auto& k : *b) {
        if (k.text != channel) continue;
        auto& best = k.is_id ? by_id : by_name;
        if (!best || k.number > *best) best = k.number;
    }
    return by_id ? by_id : by_name;
}

std::size_t channel_index::bucket_count() const {
    std::size_t n = 0;
    for (const auto& s : shards_) n += s->pages.size() * page_size;
    return n;
}

}  // namespace warroom::bot
