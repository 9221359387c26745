// What an idle connection costs (bench/README.md, "Where an idle
// connection's bytes go"): the structures that keep it small. The outbound
// queue holds one chunk inline and gives its heap array back once idle;
// the peer table keeps one copy of each address for all its connections;
// stamps are exact across the clock's 32-bit wrap; and the connection
// itself stays within its budget.
#include "webchat/engine/Connection.h"
#include "webchat/engine/OutboundQueue.h"
#include "webchat/engine/PeerTable.h"
#include "webchat/engine/Stamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using namespace webchat::engine;
namespace platform = webchat::platform;

// The budget of 400 bytes per idle connection leaves room for
// the allocator's rounding and the connection's entries in its loop's and
// its topic's lists only if the object stays this small. Checked where it
// was measured: 64-bit Linux (a Windows socket handle is 8 bytes).
static_assert(sizeof(void*) != 8 || sizeof(platform::SocketHandle) != 4 || sizeof(Connection) <= 248,
	"a Connection grew: redo bench/README.md's account of an idle connection's bytes");
static_assert(sizeof(OutboundQueue) == 4 * sizeof(void*), "the outbound queue is 32 bytes in every connection");

namespace {

std::string text(const platform::IoBuffer& buffer)
{
	return std::string(platform::bufferData(buffer), platform::bufferSize(buffer));
}

Chunk* chunkOf(ChunkPool& pool, const std::string& bytes)
{
	Chunk* chunk = pool.acquire();
	chunk->owned = bytes;
	return chunk;
}

std::string written(const OutboundQueue& queue)
{
	platform::IoBuffer buffers[256];
	const int n = queue.gather(buffers, 256);
	std::string all;
	for (int i = 0; i < n; ++i) all += text(buffers[i]);
	return all;
}

} // namespace

class IdleMemoryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(IdleMemoryTest);
	CPPUNIT_TEST(testOneChunkStaysInline);
	CPPUNIT_TEST(testSecondChunkSpillsAndOrderHolds);
	CPPUNIT_TEST(testArrayKeptWhileBusyGivenBackWhenIdle);
	CPPUNIT_TEST(testLargeArrayGivenBackOnceEmpty);
	CPPUNIT_TEST(testWrittenFrontMakesRoom);
	CPPUNIT_TEST(testPeerTableKeepsOneCopyPerAddress);
	CPPUNIT_TEST(testPeerTableAdmission);
	CPPUNIT_TEST(testStampsAcrossTheWrap);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOneChunkStaysInline()
	{
		ChunkPool pool;
		OutboundQueue queue;
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), queue.capacity());
		for (int round = 0; round < 3; ++round)
		{
			queue.push(chunkOf(pool, "ping"));
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), queue.capacity());
			CPPUNIT_ASSERT_EQUAL(std::string("ping"), written(queue));
			queue.consume(2, pool);
			CPPUNIT_ASSERT(queue.midChunk());
			CPPUNIT_ASSERT_EQUAL(std::string("ng"), written(queue));
			queue.consume(2, pool);
			CPPUNIT_ASSERT(queue.empty());
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), queue.capacity());
		}
	}

	void testSecondChunkSpillsAndOrderHolds()
	{
		ChunkPool pool;
		OutboundQueue queue;
		std::string expected;
		for (int i = 0; i < 100; ++i)
		{
			const std::string bytes = "<" + std::to_string(i) + ">";
			queue.push(chunkOf(pool, bytes));
			expected += bytes;
		}
		CPPUNIT_ASSERT(queue.capacity() >= 100);
		CPPUNIT_ASSERT_EQUAL(expected.size(), queue.bytes());
		// gather() gives at most what it is asked for, in order.
		platform::IoBuffer buffers[3];
		CPPUNIT_ASSERT_EQUAL(3, queue.gather(buffers, 3));
		CPPUNIT_ASSERT_EQUAL(std::string("<0>"), text(buffers[0]));
		CPPUNIT_ASSERT_EQUAL(std::string("<2>"), text(buffers[2]));
		queue.consume(5, pool); // "<0>" and "<1"
		CPPUNIT_ASSERT_EQUAL(expected.substr(5), written(queue));
		queue.dropUnstarted(pool);
		CPPUNIT_ASSERT_EQUAL(std::string(">"), written(queue));
		queue.clear(pool);
		CPPUNIT_ASSERT(queue.empty());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), queue.bytes());
	}

	void testArrayKeptWhileBusyGivenBackWhenIdle()
	{
		ChunkPool pool;
		OutboundQueue queue;
		queue.push(chunkOf(pool, "ab"));
		queue.push(chunkOf(pool, "cd"));
		const std::size_t grown = queue.capacity();
		CPPUNIT_ASSERT(grown > 1);
		queue.consume(4, pool);
		CPPUNIT_ASSERT(queue.empty());
		// A busy connection does not allocate per flush.
		CPPUNIT_ASSERT_EQUAL(grown, queue.capacity());
		// Not while something is queued.
		queue.push(chunkOf(pool, "ef"));
		queue.releaseIdleMemory();
		CPPUNIT_ASSERT_EQUAL(grown, queue.capacity());
		CPPUNIT_ASSERT_EQUAL(std::string("ef"), written(queue));
		queue.consume(2, pool);
		queue.releaseIdleMemory();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), queue.capacity());
		// And it works inline again.
		queue.push(chunkOf(pool, "gh"));
		CPPUNIT_ASSERT_EQUAL(std::string("gh"), written(queue));
		queue.clear(pool);
	}

	void testLargeArrayGivenBackOnceEmpty()
	{
		ChunkPool pool;
		OutboundQueue queue;
		std::size_t bytes = 0;
		for (int i = 0; i < 200; ++i)
		{
			queue.push(chunkOf(pool, "x"));
			++bytes;
		}
		CPPUNIT_ASSERT(queue.capacity() > 64);
		queue.consume(bytes, pool);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), queue.capacity());
	}

	void testWrittenFrontMakesRoom()
	{
		// A queue written as fast as it fills stays at its size: the
		// written chunks' room at the front is reused.
		ChunkPool pool;
		OutboundQueue queue;
		for (int i = 0; i < 4; ++i) queue.push(chunkOf(pool, "ab"));
		const std::size_t grown = queue.capacity();
		for (int i = 0; i < 1000; ++i)
		{
			queue.consume(2, pool);
			queue.push(chunkOf(pool, "ab"));
		}
		CPPUNIT_ASSERT_EQUAL(grown, queue.capacity());
		CPPUNIT_ASSERT_EQUAL(std::string("abababab"), written(queue));
		queue.clear(pool);
	}

	void testPeerTableKeepsOneCopyPerAddress()
	{
		PeerTable table;
		const std::string& a = table.hold("192.0.2.1");
		const std::string& b = table.hold(std::string("192.0.2.1"));
		const std::string& c = table.hold("2001:db8:1:2::");
		CPPUNIT_ASSERT(&a == &b);
		CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.1"), a);
		CPPUNIT_ASSERT_EQUAL(std::string("2001:db8:1:2::"), c);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), table.addresses());
		// Other entries come and go: the copies stay where they are.
		for (int i = 0; i < 1000; ++i) table.hold("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
		for (int i = 0; i < 1000; ++i) table.forget("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
		CPPUNIT_ASSERT(&a == &table.hold("192.0.2.1"));
		table.forget(a);
		table.forget(a);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), table.addresses());
		table.forget(b);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), table.addresses());
		table.forget(c);
		table.forget("never held"); // nothing
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), table.addresses());
	}

	void testPeerTableAdmission()
	{
		PeerTable table;
		CPPUNIT_ASSERT(table.admit("a", 3, 2));
		CPPUNIT_ASSERT(table.admit("a", 3, 2));
		CPPUNIT_ASSERT(!table.admit("a", 3, 2)); // per address
		CPPUNIT_ASSERT(table.admit("b", 3, 2));
		CPPUNIT_ASSERT(!table.admit("c", 3, 2)); // in all
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), table.admitted());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), table.addresses()); // a refused address leaves nothing
		// A connection holds its address past its slot's release.
		const std::string& held = table.hold("b");
		table.release("b");
		CPPUNIT_ASSERT_EQUAL(std::string("b"), held);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), table.addresses());
		table.release("b"); // none left: only the total
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), table.admitted());
		CPPUNIT_ASSERT(table.admit("b", 3, 1));
		table.forget(held);
		table.release("b");
		table.release("a");
		table.release("a");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), table.admitted());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), table.addresses());
		table.release("a"); // never below zero
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), table.admitted());
	}

	void testStampsAcrossTheWrap()
	{
		const std::int64_t wrap = std::int64_t(1) << 32;
		// Any steady-clock reading, across the low 32 bits' wrap.
		for (const std::int64_t at : {std::int64_t(0), std::int64_t(123456789), wrap - 10, 5 * wrap - 1, 7 * wrap})
		{
			const Stamp stamp = stampOf(at);
			CPPUNIT_ASSERT_EQUAL(std::int64_t(0), msSince(stamp, at));
			CPPUNIT_ASSERT_EQUAL(std::int64_t(15), msSince(stamp, at + 15));
			// The engine's longest spans: ping interval and pong timeout, an hour each.
			CPPUNIT_ASSERT_EQUAL(std::int64_t(7200000), msSince(stamp, at + 7200000));
			CPPUNIT_ASSERT_EQUAL(wrap - 1, msSince(stamp, at + wrap - 1));
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(IdleMemoryTest);
