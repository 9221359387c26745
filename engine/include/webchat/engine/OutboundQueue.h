//
// OutboundQueue.h
//
// (Engine internals.) What a connection is owed, as references to shared chunks of encoded
// frames. A broadcast batch is one Chunk shared by every subscriber of an
// event loop: delivering it costs a pointer push and a (loop-local, so
// non-atomic) reference count, never a copy, a lock or an allocation.
//

#ifndef WEBCHAT_ENGINE_OUTBOUNDQUEUE_INCLUDED
#define WEBCHAT_ENGINE_OUTBOUNDQUEUE_INCLUDED

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "webchat/platform/Socket.h"

namespace webchat::ws {
class Deflater;
}

namespace webchat::engine {

/// A topic's sealed batch, as every I/O thread receives it: whole frames,
/// and the same messages for clients with permessage-deflate, compressed
/// once for all of them by the first thread that needs them.
class SealedBatch
{
public:
	explicit SealedBatch(std::string frames): _frames(std::move(frames)) {}
	SealedBatch(const SealedBatch&) = delete;
	SealedBatch& operator=(const SealedBatch&) = delete;

	const std::string& frames() const { return _frames; }

	/// The frames with each message of at least minBytes compressed
	/// (ws::appendDeflatedFrames). Compressed on the first call, with the
	/// caller's deflater; a thread calling meanwhile waits for it. Every
	/// call must give the same minBytes (the engine's setting).
	const std::string& deflatedFrames(ws::Deflater& deflater, std::size_t minBytes) const;

private:
	const std::string _frames;
	mutable std::once_flag _deflateOnce;
	mutable std::string _deflated;
};

/// Encoded frames: either a batch shared across event loops or bytes owned
/// by this chunk (control frames, a message to one client).
struct Chunk
{
	std::shared_ptr<const std::string> shared;
	std::string owned;
	std::uint32_t refs = 0; // queues holding it; touched by one loop only

	const char* data() const { return shared ? shared->data() : owned.data(); }
	std::size_t size() const { return shared ? shared->size() : owned.size(); }
};

/// Recycles chunks within one event loop.
class ChunkPool
{
public:
	ChunkPool() = default;
	~ChunkPool();
	ChunkPool(const ChunkPool&) = delete;
	ChunkPool& operator=(const ChunkPool&) = delete;

	Chunk* acquire();

	/// Drops one reference; recycles the chunk when none is left.
	void unref(Chunk* chunk);

private:
	std::vector<Chunk*> _free;
};

/// What one connection is owed, in order. Room for one chunk is inline:
/// an idle connection's queue (its 101, a ping, a message now and then)
/// allocates nothing. A second chunk queued before the first is written
/// moves the queue to an array on the heap, which it keeps while busy (no
/// allocation per flush) and gives back at releaseIdleMemory() once empty,
/// or as soon as it empties if it grew past 64. 32 bytes in every
/// connection; each chunk is under 4 GiB (it is at most max_queued_bytes).
class OutboundQueue
{
public:
	OutboundQueue() = default;
	~OutboundQueue();
	OutboundQueue(const OutboundQueue&) = delete;
	OutboundQueue& operator=(const OutboundQueue&) = delete;

	void push(Chunk* chunk)
	{
		++chunk->refs;
		if (_end == _capacity) grow();
		slots()[_end++] = chunk;
		_bytes += chunk->size();
	}

	bool empty() const { return _head == _end; }
	std::size_t bytes() const { return _bytes; }

	/// True while the first chunk is partly written: dropping it would cut a
	/// frame in half on the wire.
	bool midChunk() const { return _offset != 0; }

	/// Fills up to max spans with the unwritten bytes, in order: what one
	/// vectored send writes.
	int gather(platform::IoBuffer* buffers, int max) const;

	/// Marks n bytes as written, releasing chunks that are done.
	void consume(std::size_t n, ChunkPool& pool);

	/// Drops everything not yet started (keeps a partly written chunk).
	void dropUnstarted(ChunkPool& pool);

	void clear(ChunkPool& pool);

	/// Gives back the heap array if the queue is empty: an idle
	/// connection's queue is its inline slot alone.
	void releaseIdleMemory();

	/// Chunks the queue can hold before it grows (for tests): 1 while
	/// inline.
	std::size_t capacity() const { return _capacity; }

private:
	Chunk** slots() { return _capacity == 1 ? &_one : _many; }
	Chunk* const* slots() const { return _capacity == 1 ? &_one : _many; }
	// Makes room for one more at the end: moves the unwritten chunks to the
	// front, or to a larger array.
	void grow();
	void compact();
	void freeArray();

	union
	{
		Chunk* _one = nullptr; // the inline slot, while _capacity is 1
		Chunk** _many; // the heap array of _capacity, beyond
	};
	std::size_t _bytes = 0;      // unwritten bytes in all
	std::uint32_t _head = 0;     // first unwritten chunk
	std::uint32_t _end = 0;      // one past the last
	std::uint32_t _capacity = 1;
	std::uint32_t _offset = 0;   // bytes of the first already written
};

} // namespace webchat::engine

#endif
