#include "EventLoop.h"

#include "Poco/Exception.h"

#include <algorithm>
#include <chrono>

namespace webchat::engine {

namespace {

thread_local EventLoop* currentLoop = nullptr;

std::int64_t steadyMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The wake-up descriptor's tag: any address that is not a Connection.
char wakeTag;

const std::int64_t tickMs = 250;

} // namespace

EventLoop::EventLoop(Engine& engine, int index):
	_engine(engine),
	_settings(engine.settings()),
	_index(index),
	_poller(Poller::create()),
	_thread("webchat-io-" + std::to_string(index)),
	_readBuffer(64 * 1024),
	_now(steadyMs()),
	_nextTick(_now + tickMs),
	_timers(_now)
{
	_poller->add(_wakeup.fd(), Poller::Read, &wakeTag);
}

EventLoop::~EventLoop()
{
	for (LoopMember* member : _connections) delete member;
	deleteClosed();
	// Connections handed over while the loop was stopping.
	for (Task& task : _inbox)
	{
		if (auto* adoptTask = std::get_if<Adopt>(&task)) platform::closeSocket(adoptTask->fd);
	}
}

EventLoop* EventLoop::current()
{
	return currentLoop;
}

void EventLoop::start()
{
	_thread.start(*this);
}

void EventLoop::requestStop()
{
	post(Stop{});
}

void EventLoop::join()
{
	_thread.join();
}

void EventLoop::postAdopt(platform::SocketHandle fd, std::string response, std::string pending, std::unique_ptr<Session> session, std::string peerAddress, TlsSession tls,
	bool perMessageDeflate)
{
	post(Adopt{fd, std::move(response), std::move(pending), std::move(session), std::move(peerAddress), std::move(tls), perMessageDeflate});
}

void EventLoop::postBatch(std::shared_ptr<Topic> topic, std::shared_ptr<const SealedBatch> batch, std::uint64_t sequence)
{
	post(Batch{std::move(topic), std::move(batch), sequence});
}

void EventLoop::postToConnection(const LoopMember* target, std::uint64_t serial, std::uint32_t slot, std::function<void(Connection&)> task)
{
	post(ToConnection{target, serial, slot, std::move(task)});
}

void ConnectionHandle::post(std::function<void(Connection&)> task) const
{
	if (_loop) _loop->postToConnection(_target, _serial, _slot, std::move(task));
}

void EventLoop::post(Task task)
{
	bool wasEmpty;
	{
		std::lock_guard<std::mutex> lock(_inboxMutex);
		wasEmpty = _inbox.empty();
		_inbox.push_back(std::move(task));
	}
	// The loop never sleeps on a non-empty inbox (waitTimeout), so only a
	// task that finds the inbox empty needs to wake it, and a task the loop
	// posts to itself never does: the loop looks at its inbox before it
	// next waits.
	if (wasEmpty && currentLoop != this) wake();
}

void EventLoop::wake()
{
	_wakeup.signal();
}

void EventLoop::drainWakeup()
{
	_wakeup.drain();
}

int EventLoop::waitTimeout()
{
	// Work left for the next iteration: do not wait. That includes tasks
	// in the inbox, which the loop may have posted to itself after it
	// processed the inbox (a subscribe in onOpen seals a batch), and which
	// other threads' posts behind them do not wake it for.
	if (!_toFlush.empty() || !_toSeal.empty()) return 0;
	{
		std::lock_guard<std::mutex> lock(_inboxMutex);
		if (!_inbox.empty()) return 0;
	}
	const std::int64_t untilTick = _nextTick - steadyMs();
	return static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(untilTick, tickMs)));
}

void EventLoop::run()
{
	currentLoop = this;
	constexpr int maxEvents = 256;
	Poller::Event events[maxEvents];
	_now = steadyMs();
	_nextTick = _now + tickMs;
	for (;;)
	{
		const int n = _poller->wait(events, maxEvents, waitTimeout());
		_now = steadyMs();
		for (int i = 0; i < n; ++i)
		{
			if (events[i].tag == &wakeTag)
			{
				drainWakeup();
				continue;
			}
			auto* member = static_cast<LoopMember*>(events[i].tag);
			if (events[i].readable && !member->isClosed()) member->onReadable();
			if (events[i].writable && !member->isClosed()) member->onWritable();
		}
		// Order matters: batches this loop sealed go through its own inbox,
		// behind batches of the same topic other loops sealed earlier.
		sealTopics();
		processInbox();
		finishCloses();
		flushConnections();
		if (_now >= _nextTick)
		{
			tick();
			_nextTick = _now + tickMs;
		}
		deleteClosed();
		if (_stopping && (_connections.empty() || _now >= _drainDeadline)) break;
	}
	// Drain time is over: close what is left without further ceremony.
	while (!_connections.empty()) _connections.back()->drop(ws::CloseCode::GoingAway);
	deleteClosed();
	currentLoop = nullptr;
}

void EventLoop::processInbox()
{
	{
		std::lock_guard<std::mutex> lock(_inboxMutex);
		if (_inbox.empty()) return;
		_processing.swap(_inbox);
	}
	for (Task& task : _processing)
	{
		if (auto* adoptTask = std::get_if<Adopt>(&task))
			adopt(*adoptTask);
		else if (auto* batch = std::get_if<Batch>(&task))
			deliver(*batch);
		else if (auto* toConnection = std::get_if<ToConnection>(&task))
			runForConnection(*toConnection);
		else
			beginShutdown();
	}
	_processing.clear();
}

void EventLoop::runForConnection(ToConnection& task)
{
	// The address alone could be a newer connection's: the serial tells.
	// Dereferenced only once found among the live ones: at its slot, where
	// it usually still is, else anywhere.
	LoopMember* live = nullptr;
	if (task.slot < _connections.size() && _connections[task.slot] == task.target)
		live = _connections[task.slot];
	else
	{
		const auto found = std::find(_connections.begin(), _connections.end(), task.target);
		if (found == _connections.end()) return;
		live = *found;
	}
	LoopMember& member = *live;
	if (member.serial != task.serial || !member.connection().isOpen()) return;
	task.task(member.connection());
}

void EventLoop::adopt(Adopt& task)
{
	const platform::SocketHandle fd = task.fd;
	platform::setNonBlocking(fd, true);
	// Frames are corked by the loop itself; Nagle would only add delay.
	platform::setNoDelay(fd);
	// Bounds what the kernel holds for a client besides max_queued_bytes:
	// autotuning lets a slow reader's socket take megabytes.
	if (_settings.sendBufferBytes > 0) platform::setSendBufferSize(fd, static_cast<int>(_settings.sendBufferBytes));

	LoopMember& member = Connection::create(*this, fd, std::move(task.session), _engine.holdPeer(task.peerAddress), std::move(task.tls), task.perMessageDeflate);
	member.loopSlot = static_cast<std::uint32_t>(_connections.size());
	member.serial = ++_lastSerial;
	_connections.push_back(&member);
	Counters::add(_counters.open, 1);
	Counters::add(_counters.accepted, 1);
	try
	{
		_poller->add(fd, Poller::Read, &member);
	}
	catch (const Poco::Exception& exc)
	{
		_engine.logger().error("cannot watch connection from " + member.connection().peerAddress() + ": " + exc.displayText());
		member.drop(ws::CloseCode::InternalError);
		return;
	}
	member.start(std::move(task.response), std::move(task.pending), _stopping);
}

void EventLoop::deliver(Batch& batch)
{
	Topic& topic = *batch.topic;
	if (!topic.hasSubscribers(_index)) return;
	// One chunk per framing a local subscriber needs, made when the first
	// such subscriber comes up; each is held while delivering (a subscriber
	// may drop it at once).
	Chunk* plain = nullptr;
	Chunk* deflated = nullptr;
	const auto framing = [this, &batch](bool compressed) {
		Chunk* chunk = _chunks.acquire();
		const std::string& bytes = compressed ? batch.bytes->deflatedFrames(deflater(), _settings.compressionMinBytes) : batch.bytes->frames();
		chunk->shared = std::shared_ptr<const std::string>(batch.bytes, &bytes);
		++chunk->refs;
		return chunk;
	};
	topic.forEachReceiver(_index, batch.sequence, [&](LoopMember& subscriber) {
		Chunk*& chunk = subscriber.compresses ? deflated : plain;
		if (!chunk) chunk = framing(subscriber.compresses);
		if (subscriber.queueWithin(chunk, _settings.maxQueuedBytes))
			scheduleFlush(subscriber);
		else
			subscriber.deliver(chunk);
	});
	if (plain) _chunks.unref(plain);
	if (deflated) _chunks.unref(deflated);
}

ws::Deflater& EventLoop::deflater()
{
	if (!_deflater) _deflater = std::make_unique<ws::Deflater>();
	return *_deflater;
}

void EventLoop::scheduleFlush(LoopMember& member)
{
	if (member.pendingFlush) return;
	member.pendingFlush = true;
	_toFlush.push_back(&member);
}

void EventLoop::scheduleSeal(Topic& topic)
{
	_toSeal.push_back(&topic);
}

void EventLoop::sealTopics()
{
	for (std::size_t i = 0; i < _toSeal.size(); ++i) _toSeal[i]->seal();
	_toSeal.clear();
}

void EventLoop::scheduleClose(LoopMember& member, std::uint16_t code, std::string reason)
{
	_closesDue.push_back(DueClose{&member, code, std::move(reason)});
}

void EventLoop::finishCloses()
{
	// Peers that closed (or broke the protocol) after complete messages in
	// the same read: those messages are published; seal them and take this
	// loop's copies from the inbox, so each closing peer has its own copy
	// queued before its close. New connections adopted meanwhile may have
	// closes due too (their first bytes): repeat until none is left.
	// Connections are deleted only at the end of the iteration.
	while (!_closesDue.empty())
	{
		sealTopics();
		processInbox();
		_closing.swap(_closesDue);
		for (const DueClose& due : _closing) due.connection->finishClose(due.code, due.reason);
		_closing.clear();
	}
}

void EventLoop::flushConnections()
{
	for (std::size_t i = 0; i < _toFlush.size(); ++i)
	{
		LoopMember* member = _toFlush[i];
		member->pendingFlush = false;
		if (!member->isClosed()) member->flush();
	}
	_toFlush.clear();
}

void EventLoop::tick()
{
	// Only the members whose timer is due; each acts on what is due and
	// says when to look again. A member due only by an older reckoning
	// (heard from since it was armed) acts on nothing and is re-armed. One
	// closed by another's callback in the meantime is still allocated
	// (deleteClosed) and skipped.
	_timers.expire(_now, _due);
	for (TimerNode* node : _due)
	{
		auto& member = static_cast<LoopMember&>(*node);
		if (member.isClosed()) continue;
		const std::int64_t next = member.onTimer(_now);
		if (next != 0) _timers.arm(member, next);
	}
	_due.clear();
}

void EventLoop::beginShutdown()
{
	if (_stopping) return;
	_stopping = true;
	_drainDeadline = _now + _settings.drainTimeoutMs;
	for (std::size_t i = _connections.size(); i-- > 0;)
	{
		if (i < _connections.size() && _connections[i]->connection().isOpen())
			_connections[i]->connection().close(ws::CloseCode::GoingAway, "server shutting down");
	}
}

void EventLoop::closed(LoopMember& member)
{
	// Swap-remove from the live list; deleted at the end of the iteration,
	// after any event still pointing at it has been skipped.
	LoopMember* last = _connections.back();
	_connections[member.loopSlot] = last;
	last->loopSlot = member.loopSlot;
	_connections.pop_back();
	_timers.cancel(member);
	_closed.push_back(&member);
	Counters::add(_counters.open, static_cast<std::uint64_t>(-1));
	_engine.release(member.connection().peerAddress());
}

void EventLoop::deleteClosed()
{
	for (LoopMember* member : _closed) delete member;
	_closed.clear();
}

} // namespace webchat::engine
