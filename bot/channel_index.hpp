// Which incident a channel (its ID or its name) belongs to, for the read view
// (#16): an immutable value that every publish copies, so adding keys must
// cost the same with 100 incidents behind it as with 100,000.
//
// Keys are spread over 256 shards by the top bits of their hash; each shard
// hashes its keys into pages of buckets by the low bits and doubles on its own
// when its buckets hold max_load keys on average. Adding a key copies one short
// bucket, its page and its shard's page list; a doubling rehashes one shard,
// 1/256 of the keys. (A single table of 256 buckets grew hundreds of keys long,
// each copied whole by the publish that added one, and declares slowed down as
// incidents piled up; one table that doubled whole stalled a publish for
// ~80 ms at 130,000 keys.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::bot {

class channel_index {
public:
    struct key {
        std::string text;     // a channel ID or name
        std::int64_t number;  // the incident that has (or had) it
        bool is_id;
    };
    static constexpr std::size_t shard_count = 256;
    static constexpr std::size_t page_size = 8;  // buckets per page
    static constexpr std::size_t max_load = 4;

    channel_index();
    explicit channel_index(std::vector<key> keys);
    // Adds `added`, replacing only the shards, pages and buckets they land in:
    // a copy of this index made before (a published snapshot's) shares the
    // rest and keeps answering as it did. The caller adds a key once (see contains).
    void add(std::vector<key> added);

    bool contains(const key& k) const;
    // The incident the channel names, as the database picks it (by ID, else by
    // name; the newest), or nullopt for no incident's channel.
    std::optional<std::int64_t> number_of(std::string_view channel) const;
    std::size_t size() const { return size_; }
    std::size_t bucket_count() const;

private:
    using bucket = std::vector<key>;
    using page = std::array<std::shared_ptr<const bucket>, page_size>;  // null: an empty bucket
    struct shard {
        std::vector<std::shared_ptr<const page>> pages;  // a power of two of them
        std::size_t keys = 0;
    };
    static std::shared_ptr<const shard> build(std::vector<key> keys);
    static std::shared_ptr<const shard> added_to(const shard& s, std::vector<key> added);
    const bucket* bucket_of(std::size_t hash) const;

    std::array<std::shared_ptr<const shard>, shard_count> shards_;
    std::size_t size_ = 0;
};

}  // namespace warroom::bot
