#include "IdleRun.h"

#include <algorithm>
#include <unistd.h>

namespace webchat::bench {

std::optional<double> IdleResult::rssPerConnectionBytes() const
{
	if (!rssBeforeKiB || !rssOpenKiB || connect.opened == 0) return std::nullopt;
	const double grown = static_cast<double>(*rssOpenKiB) - static_cast<double>(*rssBeforeKiB);
	return grown * 1024.0 / static_cast<double>(connect.opened);
}

std::optional<double> IdleResult::serverCpuPerHandshakeUs() const
{
	if (!serverCpuSeconds || connect.opened == 0) return std::nullopt;
	return *serverCpuSeconds * 1e6 / static_cast<double>(connect.opened);
}

std::optional<double> IdleResult::kernelSlabPerConnectionBytes() const
{
	if (!kernelBefore || !kernelOpen || !kernelBefore->slabBytes || !kernelOpen->slabBytes || connect.opened == 0) return std::nullopt;
	const double grown = static_cast<double>(*kernelOpen->slabBytes) - static_cast<double>(*kernelBefore->slabBytes);
	return grown / static_cast<double>(connect.opened);
}

std::optional<double> IdleResult::kernelBuffersPerConnectionBytes() const
{
	if (!kernelBefore || !kernelOpen || connect.opened == 0) return std::nullopt;
	const double grown = static_cast<double>(kernelOpen->tcpMemPages) - static_cast<double>(kernelBefore->tcpMemPages);
	return grown * static_cast<double>(::sysconf(_SC_PAGESIZE)) / static_cast<double>(connect.opened);
}

std::optional<double> IdleResult::serverHoldCpuNsPerConnectionSecond() const
{
	if (!serverHoldCpuPercent || connect.opened == 0) return std::nullopt;
	// percent of a core: 1 % is 10 ms of CPU per second.
	return *serverHoldCpuPercent * 1e7 / static_cast<double>(connect.opened);
}

IdleRun::IdleRun(LoadLoop& loop, const std::vector<Endpoint>& endpoints, const ProcessStats& server, IdleConfig config):
	_loop(loop),
	_endpoints(endpoints),
	_server(server),
	_config(config)
{
	if (_config.chatroom) _chat = std::make_unique<ChatroomClients>(*_config.chatroom, _config.connections);
}

IdleResult IdleRun::run(std::uint64_t deadlineNs)
{
	_result.rssBeforeKiB = _server.residentKiB();
	std::vector<ClientConnection*> pointers;
	_connections.reserve(_config.connections);
	for (std::size_t i = 0; i < _config.connections; ++i)
	{
		_connections.push_back(std::make_unique<ClientConnection>(_loop, static_cast<ConnectionObserver&>(*this), i));
		pointers.push_back(_connections.back().get());
		if (_chat) _chat->prepare(*_connections.back());
	}
	Connector connector(_loop, _endpoints, _config.concurrency, _chat ? ChatroomClients::MaxEventBytes : 64 * 1024, _config.addresses);
	_result.kernelBefore = KernelSockets::read();
	_holding = true;
	const ProcessStats self(::getpid());
	CpuMeter serverCpu(_server), benchCpu(self);
	serverCpu.start();
	benchCpu.start();
	_result.connect = connector.open(pointers, deadlineNs);
	_result.serverCpuPercent = serverCpu.percent();
	_result.serverCpuSeconds = serverCpu.seconds();
	_result.benchCpuPercent = benchCpu.percent();

	// Serve the sockets meanwhile: a ping or a close must not go unanswered.
	_loop.idleFor(_config.settleNs);
	_result.rssOpenKiB = _server.residentKiB();
	_result.kernelOpen = KernelSockets::read();
	// Pings counted from here: those of the hold.
	std::vector<std::uint32_t> pingsBefore;
	pingsBefore.reserve(_connections.size());
	for (const auto& connection: _connections) pingsBefore.push_back(connection->pingsAnswered());
	const std::uint64_t holdStart = nowNs();
	serverCpu.start();
	const std::uint64_t holdUntil = std::min(deadlineNs, holdStart + _config.holdNs);
	if (holdUntil > nowNs()) _loop.idleFor(holdUntil - nowNs());
	_result.serverHoldCpuPercent = serverCpu.percent();
	_result.holdNs = nowNs() - holdStart;
	for (std::size_t i = 0; i < _connections.size(); ++i)
	{
		const std::uint32_t pings = _connections[i]->pingsAnswered() - pingsBefore[i];
		_result.pingsAnswered += pings;
		if (pings) ++_result.connectionsPinged;
	}
	_holding = false;
	if (_chat) _result.chat = _chat->totals(0, _config.connections);

	for (auto& connection: _connections) connection->close();
	_loop.run(nowNs() + 5 * NsPerSecond, [this] {
		return std::all_of(_connections.begin(), _connections.end(), [](const auto& c) { return c->isClosed(); });
	});
	for (auto& connection: _connections)
	{
		if (connection->isClosed() && connection->ending() == ClientConnection::Ending::CloseFrame) ++_result.closedCleanly;
		connection->abort();
	}
	_connections.clear();
	_loop.idleFor(300 * NsPerMs);
	_result.rssAfterKiB = _server.residentKiB();
	return std::move(_result);
}

void IdleRun::onMessage(ClientConnection& connection, ws::Opcode opcode, std::string_view payload)
{
	// The chat room's welcome and presence are expected; a chat message is not.
	if (!_chat || _chat->onFrame(connection, opcode, payload)) ++_result.unexpectedMessages;
}

void IdleRun::onEnd(ClientConnection& connection)
{
	if (!_holding || !connection.wasReady()) return;
	++_result.dropped;
	if (_result.firstDrop.empty())
	{
		_result.firstDrop = std::string(ClientConnection::endingName(connection.ending()));
		if (connection.closeCode()) _result.firstDrop += " " + std::to_string(connection.closeCode());
		if (!connection.detail().empty()) _result.firstDrop += " (" + connection.detail() + ")";
	}
}

} // namespace webchat::bench
