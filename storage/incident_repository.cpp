#include "storage/incident_repository.hpp"

namespace warroom::storage {

void incident_repository::apply(const commands::decision& d, commands::time_point now) {
    if (!d.ok) return;
    std::int64_t number = d.save ? d.save->number : 0;
    if (d.save) incidents_.save(*d.save, d.is_new);
    incidents_.add_timeline(d.timeline, number);
    for (const auto& f : d.followups) followups_.save(f);
    for (const auto& m : d.maintenances) maintenances_.save(m);
    outbox_.enqueue(d.actions, number, now);
    if (d.next_digest) followups_.set_digest_at(*d.next_digest);
}

}  // namespace warroom::storage
