#include "webchat/engine/OutboundQueue.h"

#include "DeflateCodec.h"

namespace webchat::engine {

const std::string& SealedBatch::deflatedFrames(ws::Deflater& deflater, std::size_t minBytes) const
{
	std::call_once(_deflateOnce, [&] { ws::appendDeflatedFrames(_deflated, _frames, deflater, minBytes); });
	return _deflated;
}

ChunkPool::~ChunkPool()
{
	for (Chunk* chunk : _free) delete chunk;
}

Chunk* ChunkPool::acquire()
{
	if (_free.empty()) return new Chunk;
	Chunk* chunk = _free.back();
	_free.pop_back();
	return chunk;
}

void ChunkPool::unref(Chunk* chunk)
{
	if (--chunk->refs != 0) return;
	chunk->shared.reset();
	chunk->owned.clear();
	// Keep small owned buffers for reuse, not big ones.
	if (chunk->owned.capacity() > 4096) std::string().swap(chunk->owned);
	if (_free.size() < 1024)
		_free.push_back(chunk);
	else
		delete chunk;
}

int OutboundQueue::gather(platform::IoBuffer* buffers, int max) const
{
	int n = 0;
	std::size_t offset = _offset;
	for (std::size_t i = _head; i < _chunks.size() && n < max; ++i)
	{
		const Chunk* chunk = _chunks[i];
		platform::setBuffer(buffers[n], chunk->data() + offset, chunk->size() - offset);
		offset = 0;
		++n;
	}
	return n;
}

void OutboundQueue::consume(std::size_t n, ChunkPool& pool)
{
	_bytes -= n;
	while (n > 0)
	{
		Chunk* chunk = _chunks[_head];
		const std::size_t left = chunk->size() - _offset;
		if (n < left)
		{
			_offset += n;
			return;
		}
		n -= left;
		_offset = 0;
		++_head;
		pool.unref(chunk);
	}
	compact();
}

void OutboundQueue::dropUnstarted(ChunkPool& pool)
{
	const std::size_t keep = _head + (_offset != 0 ? 1 : 0);
	for (std::size_t i = keep; i < _chunks.size(); ++i)
	{
		_bytes -= _chunks[i]->size();
		pool.unref(_chunks[i]);
	}
	_chunks.resize(keep);
	compact();
}

void OutboundQueue::clear(ChunkPool& pool)
{
	for (std::size_t i = _head; i < _chunks.size(); ++i) pool.unref(_chunks[i]);
	_chunks.clear();
	_head = 0;
	_offset = 0;
	_bytes = 0;
	compact();
}

void OutboundQueue::compact()
{
	if (_head == _chunks.size())
	{
		_chunks.clear();
		_head = 0;
		// An idle connection should cost almost nothing: give back a queue
		// that grew during a burst.
		if (_chunks.capacity() > 64) std::vector<Chunk*>().swap(_chunks);
	}
}

} // namespace webchat::engine
