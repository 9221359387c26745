#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace webchat::bench {

std::uint64_t LatencyHistogram::upperBound(std::size_t bucket)
{
	if (bucket < SubBuckets) return bucket;
	const unsigned exponent = static_cast<unsigned>(bucket / SubBuckets) + SubBits - 1;
	const std::uint64_t sub = bucket % SubBuckets;
	const unsigned shift = exponent - SubBits;
	const std::uint64_t lower = (SubBuckets + sub) << shift;
	return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
	for (std::size_t i = 0; i < BucketCount; ++i) _counts[i] += other._counts[i];
	_count += other._count;
	_sum += other._sum;
	_max = std::max(_max, other._max);
	_min = std::min(_min, other._min);
}

std::uint64_t LatencyHistogram::percentile(double p) const
{
	if (_count == 0) return 0;
	p = std::clamp(p, 0.0, 100.0);
	// The rank of the sample, 1-based: p99 of 100 samples is the 99th.
	auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(_count)));
	rank = std::clamp<std::uint64_t>(rank, 1, _count);
	std::uint64_t seen = 0;
	for (std::size_t i = 0; i < BucketCount; ++i)
	{
		seen += _counts[i];
		if (seen >= rank) return std::min(upperBound(i), _max);
	}
	return _max;
}

} // namespace webchat::bench
