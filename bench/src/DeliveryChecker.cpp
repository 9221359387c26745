#include "DeliveryChecker.h"

namespace webchat::bench {

DeliveryChecker::DeliveryChecker(std::size_t receivers, std::size_t senders, std::size_t groups):
	_receivers(receivers),
	_senders(senders),
	_groups(groups ? groups : 1),
	_streams(receivers * senders)
{
}

DeliveryChecker::Verdict DeliveryChecker::recordSlow(Stream& stream, std::uint32_t seq)
{
	if (!stream.seen)
	{
		// So far everything below next arrived in order: a lower number now
		// is a repeat; a higher one opens a gap.
		if (seq < stream.next)
		{
			++stream.duplicated;
			return Verdict::Duplicate;
		}
		stream.seen = std::make_unique<std::vector<bool>>(stream.next, true);
	}
	std::vector<bool>& seen = *stream.seen;
	if (seq >= seen.size()) seen.resize(static_cast<std::size_t>(seq) + 1, false);
	if (seen[seq])
	{
		++stream.duplicated;
		return Verdict::Duplicate;
	}
	seen[seq] = true;
	++stream.distinct;
	++_distinct;
	if (seq < stream.next)
	{
		++stream.reordered;
		return Verdict::Late;
	}
	stream.next = seq + 1;
	return Verdict::InOrder;
}

DeliveryChecker::Totals DeliveryChecker::totals(const std::vector<std::uint32_t>& sent, std::size_t first,
	std::size_t last) const
{
	Totals totals;
	totals.unknown = _unknown;
	for (std::size_t receiver = first; receiver < last && receiver < _receivers; ++receiver)
	{
		for (std::size_t sender = 0; sender < _senders; ++sender)
		{
			// Another group's sender: record() counted whatever came from it.
			if (!hears(receiver, sender)) continue;
			const Stream& stream = _streams[receiver * _senders + sender];
			const std::uint32_t expected = sender < sent.size() ? sent[sender] : 0;
			// Numbers at or above what was sent cannot be genuine.
			std::uint32_t genuine = stream.distinct;
			if (stream.next > expected)
			{
				if (stream.seen)
				{
					std::uint32_t bogus = 0;
					for (std::size_t seq = expected; seq < stream.seen->size(); ++seq) bogus += (*stream.seen)[seq];
					genuine -= bogus;
					totals.unknown += bogus;
				}
				else
				{
					totals.unknown += stream.next - expected;
					genuine = expected;
				}
			}
			totals.delivered += genuine;
			totals.expected += expected;
			totals.lost += expected - genuine;
			totals.duplicated += stream.duplicated;
			totals.reordered += stream.reordered;
		}
	}
	return totals;
}

} // namespace webchat::bench
