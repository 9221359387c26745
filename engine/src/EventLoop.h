//
// EventLoop.h
//
// One I/O thread: waits on its poller, reads and decodes what clients send,
// and once per iteration seals the topics it published to, queues the
// batches other loops handed it, and writes each connection's queue in one
// sendmsg (corking: what a client is owed in an iteration leaves together).
//

#ifndef WEBCHAT_ENGINE_EVENTLOOP_INCLUDED
#define WEBCHAT_ENGINE_EVENTLOOP_INCLUDED

#include "DeflateCodec.h"
#include "TimerWheel.h"

#include "webchat/platform/Poller.h"
#include "webchat/platform/Wakeup.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/LoopMember.h"
#include "webchat/engine/OutboundQueue.h"

#include "Poco/Runnable.h"
#include "Poco/Thread.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace webchat::engine {

using platform::Poller;

class EventLoop final: public Poco::Runnable
{
public:
	EventLoop(Engine& engine, int index);
	~EventLoop() override;

	void start();

	/// Asks the loop to close its clients (1001) and end; join() waits.
	void requestStop();
	void join();

	/// Hands the loop a new connection (any thread).
	void postAdopt(platform::SocketHandle fd, std::string response, std::string pending, std::unique_ptr<Session> session, std::string peerAddress, TlsSession tls,
		bool perMessageDeflate);

	/// Hands the loop a sealed batch of a topic (any thread).
	void postBatch(std::shared_ptr<Topic> topic, std::shared_ptr<const SealedBatch> batch, std::uint64_t sequence);

	/// Runs task with the connection target is, numbered serial, on this
	/// loop's thread if it is still open then (any thread; see
	/// ConnectionHandle).
	void postToConnection(const LoopMember* target, std::uint64_t serial, std::uint32_t slot, std::function<void(Connection&)> task);

	int index() const { return _index; }

	/// How long the next wait on the poller may block, in milliseconds: 0
	/// while anything is left to do (connections to write, topics to seal,
	/// tasks in the inbox), else until the next tick, where its timer
	/// wheel is expired. On the loop's thread
	/// (tests call it on a loop that is not running).
	int waitTimeout();

	/// The loop running on this thread, or null.
	static EventLoop* current();

	// For its members (Connection) and Topic, on this loop's thread.
	Engine& engine() { return _engine; }
	const EngineSettings& settings() const { return _settings; }
	ChunkPool& chunks() { return _chunks; }
	Poller& poller() { return *_poller; }
	std::int64_t now() const { return _now; }
	void scheduleFlush(LoopMember& member);
	void scheduleSeal(Topic& topic);
	/// Calls member.finishClose(code, reason) later in this iteration,
	/// once what the connection published so far has been sealed and queued
	/// to this loop's subscribers (the connection included).
	void scheduleClose(LoopMember& member, std::uint16_t code, std::string reason);
	/// Has member's timer fire at the first tick at or after atMs, unless
	/// it is armed to fire earlier (LoopMember::onTimer re-arms it then).
	/// Never once closed: a closed member leaves the wheel (closed()).
	void checkBy(LoopMember& member, std::int64_t atMs)
	{
		if (!member.isClosed()) _timers.armBy(member, atMs);
	}
	/// member's socket is closed: out of the loop's lists and its timer
	/// wheel, deleted at the end of the iteration.
	void closed(LoopMember& member);
	/// Members whose timer is armed (tests).
	std::size_t timersArmed() const { return _timers.size(); }

	struct Counters
	{
		std::atomic<std::uint64_t> open{0};
		std::atomic<std::uint64_t> accepted{0};
		std::atomic<std::uint64_t> messagesIn{0};
		std::atomic<std::uint64_t> bytesIn{0};
		std::atomic<std::uint64_t> bytesOut{0};
		std::atomic<std::uint64_t> slowConsumers{0};
		std::atomic<std::uint64_t> protocolErrors{0};
		std::atomic<std::uint64_t> protocolErrorsByCode[4] = {}; // see EngineStats::protocolErrorCodes

		// Written by the loop's thread only: a relaxed add is a plain add.
		static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n)
		{
			counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
		}

		// A connection closed for breaking the protocol: total and by code.
		void addProtocolError(std::uint16_t closeCode)
		{
			add(protocolErrors, 1);
			const int index = EngineStats::protocolErrorIndex(closeCode);
			if (index >= 0) add(protocolErrorsByCode[index], 1);
		}
	};
	Counters& counters() { return _counters; }

	/// A buffer for reads, shared by the loop's connections.
	char* readBuffer() { return _readBuffer.data(); }
	std::size_t readBufferSize() const { return _readBuffer.size(); }

	/// Where TLS connections gather their corked chunks for SSL_write;
	/// allocated with the loop's first TLS connection.
	char* tlsWriteBuffer()
	{
		if (_tlsWriteBuffer.empty()) _tlsWriteBuffer.resize(64 * 1024);
		return _tlsWriteBuffer.data();
	}
	std::size_t tlsWriteBufferSize() const { return 64 * 1024; }

	/// Compresses what the loop sends to clients with permessage-deflate;
	/// made with the first of them.
	ws::Deflater& deflater();

private:
	struct Adopt
	{
		platform::SocketHandle fd;
		std::string response;
		std::string pending;
		std::unique_ptr<Session> session;
		std::string peerAddress;
		TlsSession tls;
		bool perMessageDeflate;
	};
	struct Batch
	{
		std::shared_ptr<Topic> topic;
		std::shared_ptr<const SealedBatch> bytes;
		std::uint64_t sequence;
	};
	struct Stop
	{
	};
	struct ToConnection
	{
		const LoopMember* target;
		std::uint64_t serial;
		std::uint32_t slot; // where to look first
		std::function<void(Connection&)> task;
	};
	using Task = std::variant<Adopt, Batch, Stop, ToConnection>;

	void run() override;
	void post(Task task);
	void wake();
	void drainWakeup();
	void processInbox();
	void adopt(Adopt& task);
	void deliver(Batch& batch);
	void runForConnection(ToConnection& task);
	void sealTopics();
	void finishCloses();
	void flushConnections();
	void tick();
	void beginShutdown();
	void deleteClosed();

	Engine& _engine;
	const EngineSettings& _settings;
	const int _index;
	std::unique_ptr<Poller> _poller;
	platform::Wakeup _wakeup;
	Poco::Thread _thread;

	std::mutex _inboxMutex;
	std::vector<Task> _inbox;
	std::vector<Task> _processing;

	std::vector<LoopMember*> _connections;
	std::uint64_t _lastSerial = 0; // of the newest connection adopted
	std::vector<LoopMember*> _toFlush;
	std::vector<LoopMember*> _closed;
	std::vector<Topic*> _toSeal;
	struct DueClose
	{
		LoopMember* connection;
		std::uint16_t code;
		std::string reason;
	};
	std::vector<DueClose> _closesDue;
	std::vector<DueClose> _closing;
	ChunkPool _chunks;
	std::vector<char> _readBuffer;
	std::vector<char> _tlsWriteBuffer;
	std::unique_ptr<ws::Deflater> _deflater;
	std::int64_t _now = 0;
	std::int64_t _nextTick = 0;
	// When each member is next looked at (ping, pong, frame, close
	// timeouts, deadlines): tick() visits only those due.
	TimerWheel _timers;
	std::vector<TimerNode*> _due; // tick()'s, kept for its capacity
	bool _stopping = false;
	std::int64_t _drainDeadline = 0;
	Counters _counters;
};

} // namespace webchat::engine

#endif
