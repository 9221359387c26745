//
// DeliveryChecker.h
//
// Per receiving client and per sender, which sequence numbers arrived: the
// relay promises every client every message, once, in each sender's order.
// The common case (in order) costs one compare; a bitmap of seen numbers is
// only built for a stream once it shows a gap, to tell a late arrival from a
// duplicate. With several chat rooms (groups) a receiver hears only the
// senders of its own group, receiver % groups == sender % groups; a delivery
// from any other sender is counted as unknown (it reached the wrong room).
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
		Unknown    // sender id out of range, or a sender of another group
	};

	struct Totals
	{
		std::uint64_t delivered = 0;   // distinct (receiver, sender, seq) seen
		std::uint64_t expected = 0;    // receivers x messages sent (of their group's senders)
		std::uint64_t lost = 0;        // expected but never seen
		std::uint64_t duplicated = 0;
		std::uint64_t reordered = 0;   // arrived after a higher number of the same sender
		std::uint64_t unknown = 0;     // numbers that were never sent, unknown senders, other groups'

		bool clean() const { return lost == 0 && duplicated == 0 && reordered == 0 && unknown == 0; }
	};

	/// groups: 1 (everyone hears everyone) or more (above); at least 1.
	DeliveryChecker(std::size_t receivers, std::size_t senders, std::size_t groups = 1);

	/// Whether receiver is owed sender's messages.
	bool hears(std::size_t receiver, std::size_t sender) const { return receiver % _groups == sender % _groups; }

	Verdict record(std::size_t receiver, std::uint32_t sender, std::uint32_t seq)
	{
		// (The common case, one group, costs no division.)
		if (sender >= _senders || receiver >= _receivers || (_groups != 1 && !hears(receiver, sender)))
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
	std::size_t _groups;
	std::vector<Stream> _streams;
	std::uint64_t _distinct = 0;
	std::uint64_t _unknown = 0;
};

} // namespace webchat::bench

#endif
