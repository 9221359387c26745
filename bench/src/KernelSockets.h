//
// KernelSockets.h
//
// What the machine's kernel holds for TCP sockets, read before and after a
// run opens its connections (webchat-bench idle): /proc/net/sockstat's TCP
// line (sockets in use; the pages of their buffers) and, where readable
// (root), /proc/slabinfo's caches that every TCP socket takes an object of.
// On loopback both ends of a connection are on this machine: a difference
// divided by the connections is the cost of both ends. The figures are the
// whole machine's: other sockets that come, go or drain their buffers
// meanwhile count too (idle connections hold no buffers, so that figure is
// near 0 and may come out below it).
//

#ifndef WEBCHAT_BENCH_KERNELSOCKETS_INCLUDED
#define WEBCHAT_BENCH_KERNELSOCKETS_INCLUDED

#include <cstdint>
#include <optional>
#include <string_view>

namespace webchat::bench {

struct KernelSockets
{
	std::uint64_t tcpInUse = 0;   // sockstat "TCP: inuse"
	std::uint64_t tcpMemPages = 0; // sockstat "TCP: ... mem": pages of socket buffers
	std::optional<std::uint64_t> slabBytes; // active objects x object size of SlabCaches

	/// The slab caches a TCP socket and its descriptor take an object from:
	/// the socket (TCP), its inode, its open file, its epoll entry and the
	/// epoll queue hook (the server's; the bench uses epoll too).
	static constexpr std::string_view SlabCaches[] = {"TCP", "sock_inode_cache", "filp", "eventpoll_epi", "eventpoll_pwq"};

	/// This machine's, now; nothing when /proc/net/sockstat cannot be read.
	static std::optional<KernelSockets> read();

	/// The TCP line of a /proc/net/sockstat text into tcpInUse and
	/// tcpMemPages; false when there is none.
	static bool parseSockstat(std::string_view text, KernelSockets& into);
	/// The bytes of SlabCaches' active objects in a /proc/slabinfo text
	/// (version 2.1: "name active_objs num_objs objsize ..."); nothing when
	/// none of them is listed.
	static std::optional<std::uint64_t> parseSlabinfo(std::string_view text);
};

} // namespace webchat::bench

#endif
