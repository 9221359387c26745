#include "TrafficRun.h"

#include "Payload.h"

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace webchat::bench {

namespace {

// A sender's own unsent bytes stay under this: what the socket does not take
// waits for EPOLLOUT instead of piling up in user space.
constexpr std::size_t SenderOutputBound = 64 * 1024;

} // namespace

std::size_t TrafficConfig::deliveryOverhead() const
{
	return chatroom ? ChatroomClients::DeliveryOverhead : ws::MaxFrameHeaderSize;
}

std::size_t TrafficConfig::autoWindow() const
{
	const std::size_t frame = size + deliveryOverhead();
	const std::size_t perSender = (64 * 1024) / std::max<std::size_t>(senders * frame, 1);
	return std::clamp<std::size_t>(perSender, 1, 4096);
}

std::uint64_t TrafficConfig::totalMessages() const
{
	if (paced()) return static_cast<std::uint64_t>(std::llround(rate * duration));
	return static_cast<std::uint64_t>(messages) * senders;
}

std::string NonReaderResult::describe() const
{
	if (!present) return "none";
	if (!opened) return "never opened: " + detail;
	// A close frame may come before a reset or an end of stream.
	std::string text = closeCode && ending != ClientConnection::Ending::CloseFrame && ending != ClientConnection::Ending::None &&
			ending != ClientConnection::Ending::Aborted
		? "close frame " + std::to_string(closeCode) + ", then "
		: "";
	switch (ending)
	{
	case ClientConnection::Ending::CloseFrame:
		text = "close frame " + std::to_string(closeCode) + ", connection closed " +
			std::to_string(closeToEndNs / NsPerMs) + " ms later";
		break;
	case ClientConnection::Ending::Eof: text += closeCode ? "end of stream" : "end of stream without a close frame"; break;
	case ClientConnection::Ending::Reset: text += "connection reset (" + detail + ")"; break;
	case ClientConnection::Ending::ProtocolError: text += "protocol error in what it read: " + detail; break;
	case ClientConnection::Ending::None:
	case ClientConnection::Ending::Aborted:
		text = closeCode ? "close frame " + std::to_string(closeCode) + ", but the connection was still open " +
				std::to_string(readNs / NsPerMs) + " ms after it started reading"
						 : "still open: never closed by the server";
		break;
	default: text += ClientConnection::endingName(ending); break;
	}
	return text;
}

bool NonReaderResult::closedWith1008() const
{
	return closeCode == ws::CloseCode::PolicyViolation;
}

bool TrafficResult::correct() const
{
	return trafficRan && completed && dropped == 0 && corrupt == 0 && totals.clean() &&
		connect.failed == 0 && sent == scheduled && nonReader.duplicated == 0 && nonReader.reordered == 0 &&
		nonReader.idRepeats == 0 && (!chat || chat->clean()) && joinsMissing == 0;
}

double TrafficResult::elapsedSeconds() const
{
	if (lastDeliveryNs <= firstSendNs) return 0;
	return static_cast<double>(lastDeliveryNs - firstSendNs) / 1e9;
}

double TrafficResult::deliveriesPerSecond() const
{
	const double seconds = elapsedSeconds();
	return seconds > 0 ? static_cast<double>(totals.delivered) / seconds : 0;
}

double TrafficResult::messagesPerSecond() const
{
	const double seconds = elapsedSeconds();
	return seconds > 0 ? static_cast<double>(sent) / seconds : 0;
}

TrafficRun::TrafficRun(LoadLoop& loop, const std::vector<Endpoint>& endpoints, const ProcessStats& server, TrafficConfig config,
	ProcessStats backend):
	_loop(loop),
	_endpoints(endpoints),
	_server(server),
	_backend(std::move(backend)),
	_config(config),
	_checker(config.clients + (config.nonReader ? 1 : 0), config.senders, config.chatroom ? config.chatroom->rooms.size() : 1)
{
	const std::size_t size = std::max(config.size, MinPayloadSize);
	if (_config.chatroom)
	{
		_chat = std::make_unique<ChatroomClients>(*_config.chatroom, _config.clients + (_config.nonReader ? 1 : 0));
		// The payload inside {"type":"message","text":"..."}: only its
		// middle changes from one message to the next.
		const std::string_view prefix = ChatroomClients::MessagePrefix, suffix = ChatroomClients::MessageSuffix;
		_frame.assign(prefix.size() + size + suffix.size(), ' ');
		std::copy(prefix.begin(), prefix.end(), _frame.begin());
		std::copy(suffix.begin(), suffix.end(), _frame.end() - static_cast<std::ptrdiff_t>(suffix.size()));
		_payloadAt = prefix.size();
	}
	else
		_frame.resize(size);
	_total = _config.totalMessages();
	_quota.assign(_config.senders, 0);
	// Message k of the whole run belongs to sender k % senders.
	for (std::size_t sender = 0; sender < _config.senders; ++sender)
	{
		if (sender < _total)
			_quota[sender] = static_cast<std::uint32_t>((_total - sender + _config.senders - 1) / _config.senders);
	}
	// Each receiver is owed the messages of the senders it hears (all of
	// them, but with several rooms only its own room's).
	for (std::size_t sender = 0; sender < _config.senders; ++sender)
	{
		std::uint64_t receivers = 0;
		for (std::size_t receiver = 0; receiver < _config.clients; ++receiver) receivers += _checker.hears(receiver, sender);
		_expected += _quota[sender] * receivers;
	}
	_result.window = _config.paced() ? 0 : (_config.window ? _config.window : _config.autoWindow());
	_result.scheduled = _total;
	_result.sentBySender.assign(_config.senders, 0);
}

TrafficResult TrafficRun::run(std::uint64_t deadlineNs)
{
	_result.rssBeforeKiB = _server.residentKiB();
	_result.rssPeakKiB = _result.rssBeforeKiB;

	const std::size_t count = _config.clients + (_config.nonReader ? 1 : 0);
	std::vector<ClientConnection*> pointers;
	for (std::size_t i = 0; i < count; ++i)
	{
		_connections.push_back(std::make_unique<ClientConnection>(_loop, static_cast<ConnectionObserver&>(*this), i));
		pointers.push_back(_connections.back().get());
		if (_chat) _chat->prepare(*_connections.back());
	}
	if (_config.nonReader)
	{
		_nonReader = _connections.back().get();
		_nonReader->setReceiveBuffer(_config.nonReaderReceiveBuffer);
		_result.nonReader.present = true;
	}

	const std::size_t maxMessage = _chat ? ChatroomClients::MaxEventBytes : std::max<std::size_t>(_config.size, 64 * 1024) + 1024;
	Connector connector(_loop, _endpoints, _config.concurrency, maxMessage);
	_result.connect = connector.open(pointers, deadlineNs);
	if (_nonReader) _result.nonReader.opened = _nonReader->wasReady();

	if (_result.connect.failed != 0)
		_result.stopReason = "not every client connected";
	else if (!_chat || settleRoom(deadlineNs))
		exchange(deadlineNs);

	_inTraffic = false;
	_result.totals = _checker.totals(_result.sentBySender, 0, _config.clients);
	// Sender s is client s: room s mod rooms.
	const std::size_t rooms = _config.chatroom ? _config.chatroom->rooms.size() : 1;
	_result.sentByRoom.assign(rooms, 0);
	for (std::size_t sender = 0; sender < _result.sentBySender.size(); ++sender)
		_result.sentByRoom[sender % rooms] += _result.sentBySender[sender];
	if (_nonReader) finishNonReader();
	if (_chat) _result.chat = _chat->totals(0, _config.clients);
	const auto highWater = _server.peakResidentKiB();
	if (highWater && (!_result.rssPeakKiB || *highWater > *_result.rssPeakKiB)) _result.rssPeakKiB = highWater;
	closeAll();
	// Give the server a moment to free what the connections held.
	_loop.idleFor(300 * NsPerMs);
	_result.rssAfterKiB = _server.residentKiB();
	return std::move(_result);
}

bool TrafficRun::settleRoom(std::uint64_t deadlineNs)
{
	// A receiver lost from here on is a failure as much as during the exchange.
	_inTraffic = true;
	std::uint64_t missing = _chat->joinsMissing(0, _config.clients);
	std::uint64_t progressNs = nowNs();
	bool stalled = false;
	auto tick = [&] {
		const std::uint64_t now = nowNs();
		const std::uint64_t left = _chat->joinsMissing(0, _config.clients);
		if (left < missing)
		{
			missing = left;
			progressNs = now;
		}
		else if (now - progressNs > _config.stallNs)
			stalled = true;
		return std::int64_t{-1};
	};
	_loop.run(deadlineNs, [&] { return _stopping || stalled || _chat->joinsMissing(0, _config.clients) == 0; }, tick);
	_result.joinsMissing = _chat->joinsMissing(0, _config.clients);
	if (_result.joinsMissing == 0 && !_stopping) return true;
	if (_result.stopReason.empty())
		_result.stopReason = std::to_string(_result.joinsMissing) + " join events had not arrived when the exchange was to start";
	return false;
}

void TrafficRun::exchange(std::uint64_t deadlineNs)
{
	_result.trafficRan = true;
	_inTraffic = true;
	_startNs = nowNs();
	_lastProgressNs = _startNs;
	auto done = [this] {
		if (_stopping) return true;
		if (_receiverDistinct >= _expected && _result.sent == _total) return true;
		return false;
	};
	auto tick = [this] {
		const std::uint64_t now = nowNs();
		sampleRss(now);
		if (now - _lastProgressNs > _config.stallNs && !_stopping)
		{
			_stopping = true;
			_result.stopReason = "nothing arrived for " + std::to_string(_config.stallNs / NsPerSecond) + " s";
		}
		return refillSenders();
	};
	const ProcessStats self(::getpid());
	CpuMeter serverCpu(_server), benchCpu(self), backendCpu(_backend);
	// Several backend processes: each one measured too.
	std::vector<ProcessStats> backends;
	std::vector<CpuMeter> backendCpuEach;
	if (_backend.pids().size() > 1)
	{
		for (const pid_t pid: _backend.pids()) backends.emplace_back(pid);
		for (const ProcessStats& backend: backends) backendCpuEach.emplace_back(backend);
	}
	serverCpu.start();
	benchCpu.start();
	backendCpu.start();
	for (CpuMeter& meter: backendCpuEach) meter.start();
	_loop.resetMaxDispatch();
	// Paced messages leave on time even while thousands of sockets are
	// being read: the schedule is checked every 64 events, not every round.
	if (_config.paced()) _loop.setBetweenEvents([this] { refillSenders(); });
	const bool finished = _loop.run(deadlineNs, done, tick);
	_loop.setBetweenEvents({});
	_result.maxDispatchNs = _loop.maxDispatchNs();
	_result.serverCpuPercent = serverCpu.percent();
	_result.benchCpuPercent = benchCpu.percent();
	_result.backendCpuPercent = backendCpu.percent();
	for (const CpuMeter& meter: backendCpuEach)
	{
		_result.backendCpuPercentEach.push_back(meter.percent());
		_result.backendCpuSecondsEach.push_back(meter.seconds());
	}
	const std::uint64_t delivered = _checker.distinct();
	const auto perDelivery = [delivered](const std::optional<double>& seconds) -> std::optional<double> {
		if (!seconds || delivered == 0) return std::nullopt;
		return *seconds * 1e9 / static_cast<double>(delivered);
	};
	_result.serverCpuNsPerDelivery = perDelivery(serverCpu.seconds());
	_result.benchCpuNsPerDelivery = perDelivery(benchCpu.seconds());
	_result.backendCpuSeconds = backendCpu.seconds();
	_result.backendCpuNsPerDelivery = perDelivery(_result.backendCpuSeconds);
	_result.completed = finished && _receiverDistinct >= _expected && _result.sent == _total;
	if (!finished) _result.stopReason = "deadline (--timeout) reached";
}

std::uint64_t TrafficRun::scheduledAt(std::size_t sender, std::uint32_t seq) const
{
	const double index = static_cast<double>(seq) * static_cast<double>(_config.senders) + static_cast<double>(sender);
	return _startNs + static_cast<std::uint64_t>(index * 1e9 / _config.rate);
}

std::int64_t TrafficRun::refillSenders()
{
	const std::uint64_t now = nowNs();
	std::uint64_t wake = UINT64_MAX;
	for (std::size_t sender = 0; sender < _config.senders; ++sender)
	{
		ClientConnection& connection = *_connections[sender];
		if (!connection.isOpen()) continue;
		if (connection.pendingOutput() < SenderOutputBound) sendBatch(sender, connection, now);
		const std::uint32_t next = _result.sentBySender[sender];
		if (_config.paced() && next < _quota[sender]) wake = std::min(wake, scheduledAt(sender, next));
	}
	if (wake == UINT64_MAX) return -1;
	return static_cast<std::int64_t>(std::min<std::uint64_t>(wake > now ? wake - now : 0, 10 * NsPerMs));
}

void TrafficRun::sendBatch(std::size_t sender, ClientConnection& connection, std::uint64_t now)
{
	std::uint32_t& seq = _result.sentBySender[sender];
	const std::uint32_t before = seq;
	const ws::Opcode opcode = _config.binary ? ws::Opcode::Binary : ws::Opcode::Text;
	PayloadFields fields;
	fields.sender = static_cast<std::uint32_t>(sender);
	while (seq < _quota[sender] && connection.pendingOutput() < SenderOutputBound)
	{
		if (_config.paced())
		{
			const std::uint64_t due = scheduledAt(sender, seq);
			if (due > now) break;
			_result.maxSendLagNs = std::max(_result.maxSendLagNs, now - due);
			fields.sentNs = due;
		}
		else
		{
			// The sender's own copy coming back opens the window again.
			const std::uint32_t back = _checker.nextExpected(sender, fields.sender);
			if (seq - std::min(back, seq) >= _result.window) break;
			fields.sentNs = now;
		}
		fields.seq = seq;
		encodePayload(_frame.data() + _payloadAt, _config.size, fields);
		connection.queueMessage(opcode, std::string_view(_frame.data(), _frame.size()));
		++seq;
	}
	if (seq == before) return;
	if (_result.firstSendNs == 0) _result.firstSendNs = now;
	_result.lastSendNs = now;
	_lastProgressNs = std::max(_lastProgressNs, now);
	_result.sent += seq - before;
	connection.flush();
}

void TrafficRun::onReady(ClientConnection& connection)
{
	if (&connection == _nonReader) connection.pauseReading();
}

std::optional<PayloadFields> TrafficRun::delivered(ClientConnection& connection, ws::Opcode opcode, std::string_view frame)
{
	PayloadFields fields;
	if (!_chat)
	{
		const ws::Opcode expected = _config.binary ? ws::Opcode::Binary : ws::Opcode::Text;
		if (opcode == expected && decodePayload(frame, _config.size, fields)) return fields;
		++_result.corrupt;
		return std::nullopt;
	}
	// Events other than messages end here (ChatroomClients counts them).
	const auto message = _chat->onFrame(connection, opcode, frame);
	if (!message) return std::nullopt;
	// The room names the sender: it must be the one the payload names.
	if (decodePayload(message->text, _config.size, fields) && fields.sender < _config.senders &&
		message->nick == _chat->nick(fields.sender))
		return fields;
	++_result.corrupt;
	return std::nullopt;
}

void TrafficRun::onMessage(ClientConnection& connection, ws::Opcode opcode, std::string_view payload)
{
	const std::optional<PayloadFields> payloadFields = delivered(connection, opcode, payload);
	if (!payloadFields) return;
	const PayloadFields& fields = *payloadFields;
	const DeliveryChecker::Verdict verdict = _checker.record(connection.index(), fields.sender, fields.seq);
	if (&connection == _nonReader) return;
	if (verdict != DeliveryChecker::Verdict::InOrder && verdict != DeliveryChecker::Verdict::Late) return;
	++_receiverDistinct;
	const std::uint64_t at = connection.receivedAtNs();
	_result.lastDeliveryNs = at;
	_lastProgressNs = at;
	_result.latency.record(at > fields.sentNs ? at - fields.sentNs : 0);
}

void TrafficRun::onEnd(ClientConnection& connection)
{
	if (&connection == _nonReader || !_inTraffic) return;
	++_result.dropped;
	if (_result.firstDrop.empty())
	{
		_result.firstDrop = "client " + std::to_string(connection.index()) + ": " +
			ClientConnection::endingName(connection.ending());
		if (connection.closeCode()) _result.firstDrop += " " + std::to_string(connection.closeCode());
		if (!connection.detail().empty()) _result.firstDrop += " (" + connection.detail() + ")";
	}
	// A receiver gone means its deliveries never come: no point waiting.
	_stopping = true;
	_result.stopReason = "a receiver was disconnected";
}

void TrafficRun::sampleRss(std::uint64_t now)
{
	if (!_server.enabled() || now < _nextRssNs) return;
	_nextRssNs = now + _config.rssSampleNs;
	const auto rss = _server.residentKiB();
	if (rss && (!_result.rssPeakKiB || *rss > *_result.rssPeakKiB)) _result.rssPeakKiB = rss;
}

void TrafficRun::finishNonReader()
{
	NonReaderResult& outcome = _result.nonReader;
	if (!_nonReader->wasOpened())
	{
		outcome.detail = _nonReader->detail();
		return;
	}
	// Now let it read what reached it: the server's verdict is at the end.
	_nonReader->resumeReading();
	_loop.run(nowNs() + _config.nonReaderReadNs, [this] { return _nonReader->isClosed(); },
		[this] { sampleRss(nowNs()); return std::int64_t{-1}; });
	outcome.ending = _nonReader->isClosed() ? _nonReader->ending() : ClientConnection::Ending::None;
	outcome.closeCode = _nonReader->closeCode();
	outcome.readNs = _config.nonReaderReadNs;
	if (_nonReader->isClosed() && _nonReader->closeReceivedAtNs())
		outcome.closeToEndNs = _nonReader->endedAtNs() - _nonReader->closeReceivedAtNs();
	outcome.hungUpWhilePaused = _nonReader->hungUpWhilePaused();
	outcome.detail = _nonReader->detail();
	outcome.messagesRead = _nonReader->messagesReceived();
	const DeliveryChecker::Totals totals = _checker.totals(_result.sentBySender, _config.clients, _config.clients + 1);
	outcome.duplicated = totals.duplicated;
	outcome.reordered = totals.reordered;
	if (_chat)
	{
		const ChatroomTotals chat = _chat->totals(_config.clients, _config.clients + 1);
		outcome.idGaps = chat.idGaps;
		outcome.idRepeats = chat.idRepeats;
	}
}

void TrafficRun::closeAll()
{
	for (auto& connection: _connections) connection->close();
	_loop.run(nowNs() + 3 * NsPerSecond, [this] {
		return std::all_of(_connections.begin(), _connections.end(), [](const auto& c) { return c->isClosed(); });
	});
	for (std::size_t i = 0; i < _connections.size(); ++i)
	{
		ClientConnection& connection = *_connections[i];
		if (i < _config.clients && connection.isClosed() && connection.ending() == ClientConnection::Ending::CloseFrame)
			++_result.closedCleanly;
		connection.abort();
	}
}

} // namespace webchat::bench
