#include "webchat/engine/Engine.h"

#include "EventLoop.h"

#include "webchat/platform/DescriptorLimit.h"
#include "webchat/platform/Socket.h"

#include <chrono>

namespace webchat::engine {

namespace {

// Thousands of clients need thousands of descriptors (DescriptorLimit.h).
void raiseDescriptorLimit(Poco::Logger& logger)
{
	if (const auto raised = platform::raiseDescriptorLimit())
		logger.debug("raised the open-file limit from " + std::to_string(raised->before) + " to " + std::to_string(raised->after));
}

} // namespace

Engine::Engine(const EngineSettings& settings, SessionHandler& handler, Poco::Logger& logger):
	_settings(settings),
	_handler(handler),
	_logger(logger),
	_handshakes(settings.handshakesPerIpPerSecond, static_cast<double>(settings.handshakesPerIpBurst))
{
	const int threads = _settings.resolvedIoThreads();
	for (int i = 0; i < threads; ++i) _loops.push_back(std::make_unique<EventLoop>(*this, i));
}

Engine::~Engine()
{
	stop();
}

void Engine::start()
{
	if (_running || _stopped) return;
	raiseDescriptorLimit(_logger);
	for (auto& loop : _loops) loop->start();
	_running = true;
}

void Engine::stop()
{
	if (_stopped.exchange(true)) return;
	if (_running)
	{
		for (auto& loop : _loops) loop->requestStop();
		for (auto& loop : _loops) loop->join();
		_running = false;
	}
}

std::shared_ptr<Topic> Engine::topic(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_topicsMutex);
	if (auto existing = _topics[name].lock()) return existing;
	// Forget topics nobody holds any more, so names that come and go do
	// not accumulate.
	for (auto it = _topics.begin(); it != _topics.end();)
		it = it->second.expired() ? _topics.erase(it) : std::next(it);
	auto topic = std::make_shared<Topic>(*this, name, _loops);
	_topics[name] = topic;
	return topic;
}

bool Engine::admitHandshake(const std::string& address, std::int64_t& retryAfterMs)
{
	const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
	if (_handshakes.tryTake(address, nowMs, &retryAfterMs)) return true;
	_refusedRate.fetch_add(1, std::memory_order_relaxed);
	return false;
}

bool Engine::admit(const std::string& peerAddress)
{
	if (_peers.admit(peerAddress, _settings.maxConnections, _settings.maxConnectionsPerIp)) return true;
	_refused.fetch_add(1, std::memory_order_relaxed);
	return false;
}

void Engine::release(const std::string& peerAddress)
{
	_peers.release(peerAddress);
}

void Engine::adopt(platform::SocketHandle fd, std::string response, std::string pending, std::unique_ptr<Session> session, const std::string& peerAddress,
	TlsSession tls, bool perMessageDeflate)
{
	if (!_running || _stopped)
	{
		platform::closeSocket(fd);
		release(peerAddress);
		return;
	}
	const unsigned index = _nextLoop.fetch_add(1, std::memory_order_relaxed) % _loops.size();
	_loops[index]->postAdopt(fd, std::move(response), std::move(pending), std::move(session), peerAddress, std::move(tls), perMessageDeflate);
}

EngineStats Engine::stats() const
{
	EngineStats stats;
	for (const auto& loop : _loops)
	{
		auto& c = loop->counters();
		stats.connectionsOpen += c.open.load(std::memory_order_relaxed);
		stats.connectionsAccepted += c.accepted.load(std::memory_order_relaxed);
		stats.messagesIn += c.messagesIn.load(std::memory_order_relaxed);
		stats.bytesIn += c.bytesIn.load(std::memory_order_relaxed);
		stats.bytesOut += c.bytesOut.load(std::memory_order_relaxed);
		stats.slowConsumersClosed += c.slowConsumers.load(std::memory_order_relaxed);
		stats.protocolErrors += c.protocolErrors.load(std::memory_order_relaxed);
		for (int i = 0; i < 4; ++i) stats.protocolErrorsByCode[i] += c.protocolErrorsByCode[i].load(std::memory_order_relaxed);
	}
	stats.connectionsRefused = _refused.load(std::memory_order_relaxed);
	stats.handshakesRefusedInvalid = _refusedInvalid.load(std::memory_order_relaxed);
	stats.handshakesRefusedOrigin = _refusedOrigin.load(std::memory_order_relaxed);
	stats.handshakesRefusedRate = _refusedRate.load(std::memory_order_relaxed);
	return stats;
}

} // namespace webchat::engine
