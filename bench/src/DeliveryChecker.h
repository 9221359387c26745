//
// DeliveryChecker.h
//
// Per receiving client and per sender, which sequence numbers arrived: the
// relay promises every client every message, once, in each sender's order.
// The common case (in order) costs one compare; a bitmap of seen numbers is
// only built for a stream once it shows a gap, to tell a late arrival from a
// duplicate.
//

#ifndef WEBCHAT_BENCH_DELIVERYCHECKER_INCLUDED
#define WEBCHAT_BENCH_DELIVERYCHECKER_INCLUDED

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace webchat::bench {

class DeliveryChecker
{
public:
	enum class Verdict
	{
		InOrder,   // the next expected number (or past a gap: counted when the gap is filled or lost)
		Late,      // below the highest seen, not seen before: out of order
		Duplicate, // seen before
		Unknown    // sender id out of range
	};

	struct Totals
	{
		std::uint64_t delivered = 0;   // distinct (receiver, sender, seq) seen
		std::uint64_t expected = 0;    // receivers x messages sent
		std::uint64_t lost = 0;        // expected but never seen
		std::uint64_t duplicated = 0;
		std::uint64_t reordered = 0;   // arrived after a higher number of the same sender
		std::uint64_t unknown = 0;     // numbers that were never sent, unknown senders

		bool clean() const { return lost == 0 && duplicated == 0 && reordered == 0 && unknown == 0; }
	};

	DeliveryChecker(std::size_t receivers, std::size_t senders);

	Verdict record(std::size_t receiver, std::uint32_t sender, std::uint32_t seq)
	{
		if (sender >= _senders || receiver >= _receivers)
		{
			++_unknown;
			return Verdict::Unknown;
		}
		Stream& stream = _streams[receiver * _senders + sender];
		if (seq == stream.next && !stream.seen)
		{
			++stream.next;
			++stream.distinct;
			++_distinct;
			return Verdict::InOrder;
		}
		return recordSlow(stream, seq);
	}

	/// Every number below this one from sender has reached receiver (when no
	/// gap was ever seen on the stream; otherwise one past the highest seen).
	std::uint32_t nextExpected(std::size_t receiver, std::uint32_t sender) const
	{
		return _streams[receiver * _senders + sender].next;
	}

	/// Distinct deliveries so far, over all streams.
	std::uint64_t distinct() const { return _distinct; }

	/// Counts for receivers [first, last), given how many messages each
	/// sender sent (numbered 0..sent-1).
	Totals totals(const std::vector<std::uint32_t>& sent, std::size_t first, std::size_t last) const;

	std::size_t receivers() const { return _receivers; }
	std::size_t senders() const { return _senders; }

private:
	struct Stream
	{
		std::uint32_t next = 0;     // one past the highest number seen
		std::uint32_t distinct = 0;
		std::uint32_t duplicated = 0;
		std::uint32_t reordered = 0;
		std::unique_ptr<std::vector<bool>> seen; // built at the first anomaly
	};

	Verdict recordSlow(Stream& stream, std::uint32_t seq);

	std::size_t _receivers;
	std::size_t _senders;
	std::vector<Stream> _streams;
	std::uint64_t _distinct = 0;
	std::uint64_t _unknown = 0;
};

} // namespace webchat::bench

#endif
