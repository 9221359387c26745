//
// TrafficRun.h
//
// One message exchange through the relay: N clients connect, some of them
// send numbered, timestamped messages, every client must receive every
// message exactly once and in each sender's order. Two ways of sending:
//
//   closed loop (rate 0): each sender sends as fast as the loop allows but
//     keeps at most `window` of its messages in flight (sent, not yet back
//     to itself) and at most 64 KiB unsent in its own buffer. The window
//     bounds what the server must queue for any client to
//     senders x window x frame size (64 KiB by default), far under its
//     max_queued_bytes, so the run measures relaying, not the slow-consumer
//     policy; and by Little's law a bigger window only adds latency once
//     the server is saturated.
//   paced (rate > 0): messages leave on a fixed schedule, rate per second
//     over all senders, for `duration` seconds. Latency is measured from
//     the scheduled instant, so a sender that falls behind shows up in the
//     latency instead of hiding it (no coordinated omission).
//
// Optionally one extra client never reads after its handshake (the slow
// consumer): it is not counted among the receivers; afterwards it reads
// what reached it and the result says how the server ended it.
//
// With the chat room (config.chatroom), the clients join one room (or
// several, client i in room i mod rooms: each message is owed to its
// sender's room only), the payload travels as a message's text and ChatroomClients checks the events
// around it; before any message is sent, every receiver must have heard the
// join of every client that joined after it, so the exchange does not race
// the room's presence traffic.
//

#ifndef WEBCHAT_BENCH_TRAFFICRUN_INCLUDED
#define WEBCHAT_BENCH_TRAFFICRUN_INCLUDED

#include "ChatroomClients.h"
#include "ClientConnection.h"
#include "Connector.h"
#include "DeliveryChecker.h"
#include "Endpoint.h"
#include "LatencyHistogram.h"
#include "LoadLoop.h"
#include "Payload.h"
#include "ProcessStats.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace webchat::bench {

struct TrafficConfig
{
	std::size_t clients = 100;
	std::size_t senders = 10;
	std::uint32_t messages = 2000; // per sender, closed loop
	double rate = 0;               // paced: messages/s over all senders
	double duration = 0;           // paced: seconds
	std::size_t size = 64;         // payload bytes
	bool binary = false;           // binary instead of text messages
	std::optional<ChatroomOptions> chatroom; // the chat-room protocol instead of the relay's
	std::size_t window = 0;        // closed loop: 0 picks one (see autoWindow)
	std::size_t concurrency = 256; // connections in flight while connecting
	bool nonReader = false;
	int nonReaderReceiveBuffer = 4096;
	// How long the non-reader may read at the end: longer than the server's
	// close_timeout_ms (5 s), the latest it should end the connection.
	std::uint64_t nonReaderReadNs = 8 * NsPerSecond;
	std::uint64_t stallNs = 5 * NsPerSecond;         // give up when nothing arrives for this long
	std::uint64_t rssSampleNs = 10 * NsPerMs; // reading /proc/<pid>/status costs about 30 us

	/// Messages of each sender in flight such that the server's queue for
	/// one client stays within 64 KiB: between 1 and 4096.
	std::size_t autoWindow() const;
	/// A delivered frame's bytes beyond the payload.
	std::size_t deliveryOverhead() const;
	std::uint64_t totalMessages() const;
	bool paced() const { return rate > 0; }
};

struct NonReaderResult
{
	bool present = false;
	bool opened = false;
	ClientConnection::Ending ending = ClientConnection::Ending::None;
	std::uint16_t closeCode = 0;
	std::uint64_t closeToEndNs = 0; // from its close frame to the end of the connection
	std::uint64_t readNs = 0;       // how long it was given to read
	bool hungUpWhilePaused = false;
	std::string detail;
	std::uint64_t messagesRead = 0;
	std::uint64_t duplicated = 0;
	std::uint64_t reordered = 0;
	std::uint64_t idGaps = 0;    // chat room: ids skipped in what it read
	std::uint64_t idRepeats = 0; // chat room: ids that did not go up

	/// "close frame 1008", "connection reset", "still open after 5 s", ...
	std::string describe() const;
	bool closedWith1008() const;
};

struct TrafficResult
{
	std::size_t window = 0;
	Connector::Result connect;
	bool trafficRan = false;
	bool completed = false; // every expected delivery arrived before the deadline
	std::string stopReason; // why it stopped early, when it did
	std::size_t dropped = 0; // receivers that ended before the end of the run
	std::string firstDrop;

	std::uint64_t scheduled = 0;
	std::uint64_t sent = 0;
	std::vector<std::uint32_t> sentBySender;
	std::vector<std::uint64_t> sentByRoom; // the chat room's rooms (one entry otherwise)
	DeliveryChecker::Totals totals;
	std::uint64_t corrupt = 0; // payloads that failed to parse, wrong size or opcode; chat room: wrong sender nick
	std::optional<ChatroomTotals> chat; // chat room: events, with the receivers' id and join counts
	std::uint64_t joinsMissing = 0;     // chat room: joins that had not arrived when the room was to settle
	LatencyHistogram latency;
	std::uint64_t firstSendNs = 0;
	std::uint64_t lastSendNs = 0;
	std::uint64_t lastDeliveryNs = 0;
	std::uint64_t maxSendLagNs = 0; // paced: behind schedule at worst
	std::uint64_t maxDispatchNs = 0; // the bench's longest round of event handling

	NonReaderResult nonReader;
	// Peak: the highest of the samples (every 10 ms) and VmHWM, which the
	// kernel only updates now and then and which covers the server's life.
	std::optional<std::uint64_t> rssBeforeKiB, rssPeakKiB, rssAfterKiB;
	// Percent of one core used during the exchange: 100 marks the bottleneck.
	std::optional<double> serverCpuPercent, benchCpuPercent;
	// CPU time per verified delivery during the exchange: what a delivery
	// costs each side, whichever of them is the bottleneck.
	std::optional<double> serverCpuNsPerDelivery, benchCpuNsPerDelivery;
	// The same for the backend process (redis-server), when one was given.
	std::optional<double> backendCpuPercent, backendCpuNsPerDelivery, backendCpuSeconds;
	// With several backend processes (a Redis Cluster's masters), each one's.
	std::vector<std::optional<double>> backendCpuPercentEach, backendCpuSecondsEach;
	std::size_t closedCleanly = 0; // receivers whose closing handshake completed

	bool correct() const;
	double elapsedSeconds() const;
	double deliveriesPerSecond() const;
	double messagesPerSecond() const;
};

class TrafficRun final: private ConnectionObserver
{
public:
	/// endpoints: one or more servers, clients spread round-robin (client i
	/// to endpoints[i % n]). backend: a process whose CPU time over the
	/// exchange is reported too (redis-server; disabled: not measured).
	TrafficRun(LoadLoop& loop, const std::vector<Endpoint>& endpoints, const ProcessStats& server, TrafficConfig config,
		ProcessStats backend = ProcessStats(0));

	/// Connects, exchanges, checks, closes. The deadline bounds the
	/// exchange; closing afterwards takes at most a few seconds more.
	TrafficResult run(std::uint64_t deadlineNs);

private:
	void onMessage(ClientConnection& connection, ws::Opcode opcode, std::string_view payload) override;
	void onEnd(ClientConnection& connection) override;
	void onReady(ClientConnection& connection) override;

	std::optional<PayloadFields> delivered(ClientConnection& connection, ws::Opcode opcode, std::string_view frame);
	bool settleRoom(std::uint64_t deadlineNs);
	void exchange(std::uint64_t deadlineNs);
	std::int64_t refillSenders(); // returns ns the loop may sleep
	void sendBatch(std::size_t sender, ClientConnection& connection, std::uint64_t now);
	std::uint64_t scheduledAt(std::size_t sender, std::uint32_t seq) const;
	void sampleRss(std::uint64_t now);
	void finishNonReader();
	void closeAll();

	LoadLoop& _loop;
	const std::vector<Endpoint>& _endpoints;
	const ProcessStats& _server;
	ProcessStats _backend;
	TrafficConfig _config;
	std::uint64_t _total = 0;       // messages to send over all senders
	std::uint64_t _expected = 0;    // deliveries to the receivers
	std::vector<std::uint32_t> _quota; // messages per sender
	std::vector<std::unique_ptr<ClientConnection>> _connections;
	ClientConnection* _nonReader = nullptr;
	DeliveryChecker _checker;
	std::uint64_t _receiverDistinct = 0;
	std::uint64_t _startNs = 0;
	std::uint64_t _lastProgressNs = 0;
	std::uint64_t _nextRssNs = 0;
	bool _inTraffic = false;
	bool _stopping = false;
	std::unique_ptr<ChatroomClients> _chat; // chat room only
	std::vector<char> _frame;    // what a sender sends: the payload, or a chat message around it
	std::size_t _payloadAt = 0;  // where the payload starts in _frame
	TrafficResult _result;
};

} // namespace webchat::bench

#endif
