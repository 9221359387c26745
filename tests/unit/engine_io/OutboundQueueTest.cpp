#include "webchat/engine/OutboundQueue.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>

using webchat::engine::Chunk;
using webchat::engine::ChunkPool;
using webchat::engine::OutboundQueue;
namespace platform = webchat::platform;

namespace {

std::string text(const platform::IoBuffer& buffer)
{
	return std::string(platform::bufferData(buffer), platform::bufferSize(buffer));
}

} // namespace

class OutboundQueueTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(OutboundQueueTest);
	CPPUNIT_TEST(testSharedChunkAcrossQueues);
	CPPUNIT_TEST(testPartialWrites);
	CPPUNIT_TEST(testDropUnstartedKeepsPartlyWrittenChunk);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSharedChunkAcrossQueues()
	{
		ChunkPool pool;
		auto bytes = std::make_shared<const std::string>("hello");
		Chunk* chunk = pool.acquire();
		chunk->shared = bytes;
		++chunk->refs; // the deliverer's reference
		OutboundQueue a, b;
		a.push(chunk);
		b.push(chunk);
		pool.unref(chunk);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(2), chunk->refs);
		CPPUNIT_ASSERT_EQUAL(2L, bytes.use_count()); // ours and the chunk's: none per queue

		a.consume(5, pool);
		CPPUNIT_ASSERT(a.empty());
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(1), chunk->refs);
		b.clear(pool);
		CPPUNIT_ASSERT_EQUAL(1L, bytes.use_count()); // released once no queue holds it
	}

	void testPartialWrites()
	{
		ChunkPool pool;
		OutboundQueue queue;
		for (const char* text : {"abc", "defg", "hi"})
		{
			Chunk* chunk = pool.acquire();
			chunk->owned = text;
			queue.push(chunk);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(9), queue.bytes());
		queue.consume(4, pool); // "abc" and "d"
		platform::IoBuffer buffers[8];
		const int n = queue.gather(buffers, 8);
		CPPUNIT_ASSERT_EQUAL(2, n);
		CPPUNIT_ASSERT_EQUAL(std::string("efg"), text(buffers[0]));
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), text(buffers[1]));
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), queue.bytes());
		queue.consume(5, pool);
		CPPUNIT_ASSERT(queue.empty());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), queue.bytes());
	}

	void testDropUnstartedKeepsPartlyWrittenChunk()
	{
		ChunkPool pool;
		OutboundQueue queue;
		for (const char* text : {"frame-one", "frame-two", "frame-three"})
		{
			Chunk* chunk = pool.acquire();
			chunk->owned = text;
			queue.push(chunk);
		}
		queue.consume(3, pool);
		CPPUNIT_ASSERT(queue.midChunk());
		queue.dropUnstarted(pool);
		platform::IoBuffer buffers[8];
		CPPUNIT_ASSERT_EQUAL(1, queue.gather(buffers, 8));
		CPPUNIT_ASSERT_EQUAL(std::string("me-one"), text(buffers[0]));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), queue.bytes());
		queue.clear(pool);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(OutboundQueueTest);
