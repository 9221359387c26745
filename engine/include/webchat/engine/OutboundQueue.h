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

class OutboundQueue
{
public:
	void push(Chunk* chunk)
	{
		++chunk->refs;
		_chunks.push_back(chunk);
		_bytes += chunk->size();
	}

	bool empty() const { return _head == _chunks.size(); }
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

private:
	void compact();

	std::vector<Chunk*> _chunks;
	std::size_t _head = 0;   // first unwritten chunk
	std::size_t _offset = 0; // bytes of it already written
	std::size_t _bytes = 0;  // unwritten bytes in all
};

} // namespace webchat::engine

#endif
