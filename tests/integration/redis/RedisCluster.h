//
// RedisCluster.h
//
// A real Redis Cluster for a test: 3 masters and 3 replicas (Debian's
// redis-server, cluster-enabled), each on a free loopback port whose cluster
// bus port (+10000) is free too, data in a temporary folder; made with
// redis-cli --cluster create and ready once every node says
// cluster_state:ok. Every node is a ServerProcess: killed (SIGKILL) when the
// fixture goes, also when a test fails. cluster-node-timeout is short, so a
// killed master's replica takes over within about two seconds.
//

#ifndef WEBCHAT_TEST_REDISCLUSTER_INCLUDED
#define WEBCHAT_TEST_REDISCLUSTER_INCLUDED

#include "ServerProcess.h"

#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/File.h"
#include "Poco/StringTokenizer.h"

#include <cppunit/TestAssert.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace webchat::test {

class RedisCluster
{
public:
	static constexpr std::size_t Masters = 3;

	explicit RedisCluster(int nodeTimeoutMs = 1000):
		dir(makeTempDir())
	{
		for (std::size_t i = 0; i < 2 * Masters; ++i) ports.push_back(freeNodePort());
		for (const auto port : ports)
		{
			const std::string nodeDir = dir + "/" + std::to_string(port);
			Poco::File(nodeDir).createDirectories();
			auto process = std::make_unique<ServerProcess>(
				std::vector<std::string>{"--port", std::to_string(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file",
					nodeDir + "/nodes.conf", "--cluster-node-timeout", std::to_string(nodeTimeoutMs), "--dir", nodeDir, "--appendonly", "yes",
					"--appendfsync", "always", "--save", "", "--repl-diskless-sync-delay", "0", "--daemonize", "no", "--logfile", ""},
				"", REDIS_SERVER);
			if (!process->waitForPort(port)) CPPUNIT_FAIL("redis-server did not start: " + process->output());
			nodes[port] = std::move(process);
		}
		std::vector<std::string> create{"--cluster", "create"};
		for (const auto port : ports) create.push_back("127.0.0.1:" + std::to_string(port));
		create.insert(create.end(), {"--cluster-replicas", "1", "--cluster-yes"});
		ServerProcess cli(create, "", REDIS_CLI);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(cli.output(), 0, cli.waitForExit(Poco::Timespan(30, 0)));
		waitUntilOk();
	}

	/// Seed nodes for redis_address: two of the masters (either will do).
	std::string seeds() const { return "127.0.0.1:" + std::to_string(ports[0]) + ",127.0.0.1:" + std::to_string(ports[1]); }

	/// redis-cli -p port words...: what it printed.
	std::string reply(std::uint16_t port, const std::vector<std::string>& words) const
	{
		std::vector<std::string> args{"-p", std::to_string(port)};
		args.insert(args.end(), words.begin(), words.end());
		ServerProcess cli(args, "", REDIS_CLI);
		cli.waitForExit(Poco::Timespan(10, 0));
		return cli.output();
	}

	/// A live node's port.
	std::uint16_t anyLivePort() const
	{
		for (const auto& [port, process] : nodes)
			if (process->running()) return port;
		CPPUNIT_FAIL("no live node");
		return 0;
	}

	/// The port of the master serving slot, as a live node sees it (0: none).
	std::uint16_t masterOf(std::uint16_t slot) const
	{
		std::istringstream lines(reply(anyLivePort(), {"CLUSTER", "NODES"}));
		for (std::string line; std::getline(lines, line);)
		{
			Poco::StringTokenizer words(line, " ", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
			if (words.count() < 9 || words[2].find("master") == std::string::npos || words[2].find("fail") != std::string::npos) continue;
			for (std::size_t i = 8; i < words.count(); ++i)
			{
				const auto dash = words[i].find('-');
				if (words[i][0] == '[') continue; // a slot migrating
				const int first = std::stoi(words[i].substr(0, dash));
				const int last = dash == std::string::npos ? first : std::stoi(words[i].substr(dash + 1));
				if (slot >= first && slot <= last)
				{
					const auto at = words[1].find(':');
					return static_cast<std::uint16_t>(std::stoi(words[1].substr(at + 1, words[1].find('@') - at - 1)));
				}
			}
		}
		return 0;
	}

	/// The masters' ports, in the order of their slots.
	std::vector<std::uint16_t> masters() const
	{
		std::vector<std::uint16_t> result;
		for (std::uint16_t slot : {0, 8191, 16383})
			result.push_back(masterOf(slot));
		return result;
	}

	/// SIGKILL: no shutdown of its own.
	void kill(std::uint16_t port) { nodes.at(port)->stop(SIGKILL); }

	/// SIGSTOP: the node goes silent (its port still accepts connections,
	/// nothing answers) until resume(). Ask nothing of it meanwhile.
	void pause(std::uint16_t port) { ::kill(nodes.at(port)->pid(), SIGSTOP); }
	void resume(std::uint16_t port) { ::kill(nodes.at(port)->pid(), SIGCONT); }

	/// Waits until every live node says cluster_state:ok, a live master
	/// serves every slot (after a kill: its replica was promoted) and every
	/// replica has synchronised (only such a replica can take over).
	void waitUntilOk(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const
	{
		const auto deadline = std::chrono::steady_clock::now() + timeout;
		for (;;)
		{
			bool ok = true;
			for (const auto& [port, process] : nodes)
			{
				if (!process->running()) continue;
				if (reply(port, {"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) ok = false;
				const std::string replication = reply(port, {"INFO", "replication"});
				if (replication.find("role:slave") != std::string::npos && replication.find("master_link_status:up") == std::string::npos
					&& replicaOfLiveMaster(replication))
					ok = false;
			}
			for (const std::uint16_t slot : {0, 8191, 16383})
			{
				const auto master = masterOf(slot);
				if (!master || !nodes.at(master)->running()) ok = false;
			}
			if (ok) return;
			if (std::chrono::steady_clock::now() > deadline) CPPUNIT_FAIL("the cluster is not ok: " + reply(anyLivePort(), {"CLUSTER", "NODES"}));
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	}

	std::string dir;
	std::vector<std::uint16_t> ports;
	std::map<std::uint16_t, std::unique_ptr<ServerProcess>> nodes;

private:
	// A replica's INFO replication names a master still running (one whose
	// master was killed waits for it in vain).
	bool replicaOfLiveMaster(const std::string& replication) const
	{
		const auto at = replication.find("master_port:");
		if (at == std::string::npos) return false;
		const auto port = static_cast<std::uint16_t>(std::stoi(replication.substr(at + 12)));
		const auto node = nodes.find(port);
		return node != nodes.end() && node->second->running();
	}

	// A port free on loopback, with its bus port (+10000) free too: from
	// below the usual ephemeral range, so both fit.
	std::uint16_t freeNodePort()
	{
		static std::mt19937 random(std::random_device{}());
		for (;;)
		{
			const auto port = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(15000, 25000)(random));
			if (std::find(ports.begin(), ports.end(), port) != ports.end()) continue;
			try
			{
				Poco::Net::ServerSocket node(Poco::Net::SocketAddress("127.0.0.1", port));
				Poco::Net::ServerSocket bus(Poco::Net::SocketAddress("127.0.0.1", static_cast<std::uint16_t>(port + 10000)));
				return port;
			}
			catch (const Poco::Exception&)
			{
				// Taken: another.
			}
		}
	}
};

} // namespace webchat::test

#endif
