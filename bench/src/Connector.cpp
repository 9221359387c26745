#include "Connector.h"

#include <algorithm>
#include <stdexcept>

namespace webchat::bench {

Connector::Connector(LoadLoop& loop, const std::vector<Endpoint>& endpoints, std::size_t concurrency, std::size_t maxMessageBytes,
	std::size_t addresses):
	_loop(loop),
	_endpoints(endpoints),
	_concurrency(std::max<std::size_t>(concurrency, 1)),
	_maxMessageBytes(maxMessageBytes)
{
	if (_endpoints.empty()) throw std::invalid_argument("no server to connect to");
	for (std::size_t i = 0; i < addresses; ++i) _sources.push_back(loopbackSource(i, addresses));
	const bool allIpv4 = std::all_of(_endpoints.begin(), _endpoints.end(), [](const Endpoint& e) { return e.address.ss_family == AF_INET; });
	if (!_sources.empty() && !allIpv4)
		throw std::invalid_argument("--addresses: the server must be reached over IPv4 (the connections come from 127.0.0.2 onwards)");
}

Connector::Result Connector::open(const std::vector<ClientConnection*>& connections, std::uint64_t deadlineNs)
{
	Result result;
	std::vector<ClientConnection*> inFlight;
	inFlight.reserve(_concurrency);
	std::size_t next = 0;
	const std::uint64_t start = nowNs();

	auto settle = [&](ClientConnection* connection) {
		if (connection->wasReady())
			++result.opened;
		else
		{
			++result.failed;
			if (result.firstError.empty())
			{
				result.firstError = ClientConnection::endingName(connection->ending());
				if (connection->closeCode()) result.firstError += " " + std::to_string(connection->closeCode());
				if (!connection->detail().empty()) result.firstError += ": " + connection->detail();
			}
		}
	};
	auto topUp = [&] {
		// Retire the settled, then start new ones into the free slots.
		auto settled = std::stable_partition(inFlight.begin(), inFlight.end(),
			[](ClientConnection* connection) { return !connection->isSettled(); });
		std::for_each(settled, inFlight.end(), settle);
		inFlight.erase(settled, inFlight.end());
		while (inFlight.size() < _concurrency && next < connections.size())
		{
			const Endpoint& endpoint = _endpoints.size() == 1 ? _endpoints.front() : _endpoints[next % _endpoints.size()];
			const sockaddr_in* source = _sources.empty() ? nullptr : &_sources[next % _sources.size()];
			ClientConnection* connection = connections[next++];
			connection->connect(endpoint, _maxMessageBytes, source);
			if (connection->isSettled())
				settle(connection);
			else
				inFlight.push_back(connection);
		}
		return std::int64_t{-1};
	};
	topUp();
	_loop.run(deadlineNs, [&] { return next == connections.size() && inFlight.empty(); }, topUp);
	for (ClientConnection* connection: inFlight)
	{
		connection->abort();
		++result.failed;
		if (result.firstError.empty()) result.firstError = "timed out connecting or handshaking";
	}
	result.elapsedNs = nowNs() - start;
	return result;
}

} // namespace webchat::bench
