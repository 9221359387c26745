//
// LatencyHistogram.h
//
// Latencies in nanoseconds, in log-linear buckets (32 per power of two, so
// a percentile is within about 3% of the true value) rather than a list of
// samples: millions of deliveries cost a fixed 15 KiB and O(1) per record.
//

#ifndef WEBCHAT_BENCH_LATENCYHISTOGRAM_INCLUDED
#define WEBCHAT_BENCH_LATENCYHISTOGRAM_INCLUDED

#include <array>
#include <cstddef>
#include <cstdint>

namespace webchat::bench {

class LatencyHistogram
{
public:
	void record(std::uint64_t ns)
	{
		++_counts[bucketOf(ns)];
		++_count;
		_sum += ns;
		if (ns > _max) _max = ns;
		if (ns < _min) _min = ns;
	}

	void merge(const LatencyHistogram& other);

	std::uint64_t count() const { return _count; }
	std::uint64_t max() const { return _count ? _max : 0; }
	std::uint64_t min() const { return _count ? _min : 0; }
	double mean() const { return _count ? static_cast<double>(_sum) / static_cast<double>(_count) : 0.0; }

	/// The value below or at which p percent (0-100) of the samples lie:
	/// the upper bound of the bucket holding that rank, never above max().
	/// 0 when empty.
	std::uint64_t percentile(double p) const;

	// Public for the unit test.
	static constexpr unsigned SubBits = 5;
	static constexpr std::size_t SubBuckets = std::size_t{1} << SubBits;
	static constexpr std::size_t BucketCount = (64 - SubBits + 1) * SubBuckets;
	static std::size_t bucketOf(std::uint64_t value)
	{
		if (value < SubBuckets) return static_cast<std::size_t>(value);
		const unsigned exponent = 63u - static_cast<unsigned>(__builtin_clzll(value));
		const std::size_t sub = static_cast<std::size_t>(value >> (exponent - SubBits)) & (SubBuckets - 1);
		return (exponent - SubBits + 1) * SubBuckets + sub;
	}
	static std::uint64_t upperBound(std::size_t bucket);

private:
	std::array<std::uint64_t, BucketCount> _counts{};
	std::uint64_t _count = 0;
	std::uint64_t _sum = 0;
	std::uint64_t _max = 0;
	std::uint64_t _min = UINT64_MAX;
};

} // namespace webchat::bench

#endif
