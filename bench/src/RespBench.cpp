//
// webchat-bench-resp: the feed reader's hot reply, an XREAD of chat
// messages as the post script writes them into the feed, read from a real
// loopback socket two ways:
//   poco  POCO's Redis reader (RedisInputStream, RedisType: an object and a
//         string per field), the entries then copied out as RedisLink's
//         streamEntry() does: how the feed was read before RespReader;
//   ours  RespReader::readStreams(): the entries walked in the buffer.
// Each entry is then parsed (FeedEntry::parse) as FeedReader does. Prints
// the reading thread's CPU time per entry (and wall time), best of --rounds.
//
//   webchat-bench-resp [--entries=1000] [--replies=100] [--text-bytes=64] [--rounds=5]
//

#include "redis/FeedEntry.h"
#include "redis/RedisLink.h"
#include "redis/RespReader.h"

#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/Redis/RedisStream.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using webchat::chatroom::redis::FeedEntry;
using webchat::chatroom::redis::RedisLink;
using webchat::chatroom::redis::RespReader;

namespace {

std::string bulk(const std::string& s)
{
	return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// XREAD's reply: one stream (the feed), entries of 10 fields as the post
// script writes them (RedisScripts.cpp).
std::string feedReply(std::size_t entries, std::size_t textBytes)
{
	std::string out = "*1\r\n*2\r\n" + bulk("webchat:feed") + "*" + std::to_string(entries) + "\r\n";
	const std::string text(textBytes, 'x');
	for (std::size_t i = 1; i <= entries; ++i)
	{
		const std::string fields[] = {"t", "m", "r", "lobby", "i", "5bc548aaf59328b7", "e", "1764150000000-7f3a", "id", std::to_string(i), "nick",
			"Alice", "text", text, "ts", "1764150000123", "from", "q7Yc0a9S2kX4v1M8pZ3nR6tW5bE0dLhJfGgUuIiOoPp", "v", "0"};
		out += "*2\r\n" + bulk("1764150000123-" + std::to_string(i)) + "*" + std::to_string(std::size(fields)) + "\r\n";
		for (const auto& field : fields) out += bulk(field);
	}
	return out;
}

std::int64_t threadCpuNs()
{
	timespec now{};
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

struct Timing
{
	double cpuNsPerEntry = 0;
	double wallNsPerEntry = 0;
};

// Sends reply `replies` times through a loopback connection while read()
// reads them on this thread; read returns the entries it parsed.
Timing run(const std::string& reply, std::size_t replies, std::size_t entries, const std::function<std::size_t(Poco::Net::StreamSocket&)>& read)
{
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::StreamSocket writer(listener.address());
	Poco::Net::StreamSocket reader = listener.acceptConnection();
	std::thread sending([&] {
		for (std::size_t i = 0; i < replies; ++i) writer.sendBytes(reply.data(), static_cast<int>(reply.size()));
	});
	const auto wallStart = std::chrono::steady_clock::now();
	const std::int64_t cpuStart = threadCpuNs();
	std::size_t parsed = 0;
	for (std::size_t i = 0; i < replies; ++i) parsed += read(reader);
	const std::int64_t cpu = threadCpuNs() - cpuStart;
	const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wallStart).count();
	sending.join();
	if (parsed != replies * entries) throw std::runtime_error("parsed " + std::to_string(parsed) + " messages, not " + std::to_string(replies * entries));
	const double total = static_cast<double>(replies * entries);
	return {static_cast<double>(cpu) / total, static_cast<double>(wall) / total};
}

std::size_t option(int argc, char** argv, const std::string& name, std::size_t fallback)
{
	const std::string prefix = "--" + name + "=";
	for (int i = 1; i < argc; ++i)
	{
		const std::string arg = argv[i];
		if (arg.rfind(prefix, 0) == 0) return static_cast<std::size_t>(std::stoull(arg.substr(prefix.size())));
	}
	return fallback;
}

} // namespace

int main(int argc, char** argv)
{
	for (int i = 1; i < argc; ++i)
	{
		const std::string arg = argv[i];
		if (arg.rfind("--entries=", 0) != 0 && arg.rfind("--replies=", 0) != 0 && arg.rfind("--text-bytes=", 0) != 0 && arg.rfind("--rounds=", 0) != 0)
		{
			std::fprintf(stderr, "usage: webchat-bench-resp [--entries=1000] [--replies=100] [--text-bytes=64] [--rounds=5]\n");
			return 64;
		}
	}
	const std::size_t entries = option(argc, argv, "entries", 1000);
	const std::size_t replies = option(argc, argv, "replies", 100);
	const std::size_t textBytes = option(argc, argv, "text-bytes", 64);
	const std::size_t rounds = std::max<std::size_t>(1, option(argc, argv, "rounds", 5));
	const std::string reply = feedReply(entries, textBytes);

	Timing best[2] = {{1e18, 1e18}, {1e18, 1e18}};
	const auto keep = [](Timing& best, const Timing& t) {
		best = {std::min(best.cpuNsPerEntry, t.cpuNsPerEntry), std::min(best.wallNsPerEntry, t.wallNsPerEntry)};
	};
	for (std::size_t round = 0; round < rounds; ++round)
	{
		// How the feed was read before: POCO's types (one stream for the
		// whole connection: it reads ahead), then strings per field.
		std::unique_ptr<Poco::Redis::RedisInputStream> input;
		keep(best[0], run(reply, replies, entries, [&](Poco::Net::StreamSocket& socket) {
			if (!input) input = std::make_unique<Poco::Redis::RedisInputStream>(socket);
			Poco::Redis::RedisType::Ptr parsed = Poco::Redis::RedisType::createRedisType(static_cast<char>(input->get()));
			parsed->read(*input);
			std::size_t messages = 0;
			const auto streams = RedisLink::array(parsed);
			for (auto stream = streams.begin(); stream != streams.end(); ++stream)
			{
				const auto pair = RedisLink::array(*stream);
				const auto list = RedisLink::array(*(pair.begin() + 1));
				for (auto it = list.begin(); it != list.end(); ++it)
				{
					const auto entry = RedisLink::streamEntry(*it);
					FeedEntry::Fields views;
					for (const auto& [name, value] : entry.second) views.emplace_back(name, value);
					messages += FeedEntry::parse(views).kind == FeedEntry::Kind::Message;
				}
			}
			return messages;
		}));
		// As it is read now.
		std::unique_ptr<RespReader> ours;
		keep(best[1], run(reply, replies, entries, [&](Poco::Net::StreamSocket& socket) {
			if (!ours) ours = std::make_unique<RespReader>(&socket);
			std::size_t messages = 0;
			ours->readStreams([&](std::string_view, std::string_view, const FeedEntry::Fields& fields) { messages += FeedEntry::parse(fields).kind == FeedEntry::Kind::Message; });
			return messages;
		}));
	}
	std::printf("XREAD replies of %zu feed messages (10 fields, %zu-byte texts, %zu bytes each), %zu replies, best of %zu rounds\n", entries,
		textBytes, reply.size(), replies, rounds);
	std::printf("%-6s %12s %12s\n", "reader", "cpu ns/msg", "wall ns/msg");
	std::printf("%-6s %12.0f %12.0f\n", "poco", best[0].cpuNsPerEntry, best[0].wallNsPerEntry);
	std::printf("%-6s %12.0f %12.0f\n", "ours", best[1].cpuNsPerEntry, best[1].wallNsPerEntry);
	std::printf("ours/poco cpu: %.2f\n", best[1].cpuNsPerEntry / best[0].cpuNsPerEntry);
	return 0;
}
