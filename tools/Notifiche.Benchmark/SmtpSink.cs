using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Notifiche.Benchmark;

/// <summary>
/// A minimal, fast SMTP sink (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; every command answered 250/354/221,
/// PIPELINING advertised as any real MTA does) so that the platform, not the provider, is what is measured.
/// It counts messages per notice id (from the Message-Id header <c>&lt;{noticeId:N}.email@…&gt;</c>) and records
/// the first receipt time of each, on the benchmark's Stopwatch clock, and messages per client connection (by the
/// client's port: which process sent them can be told while the connection is open, see ProcessMeter.ConnectionOwner).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private static readonly byte[] Greeting = "220 bench-sink ESMTP\r\n"u8.ToArray();
    private static readonly byte[] EhloReply = "250-bench-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n"u8.ToArray();
    private static readonly byte[] Ok = "250 OK\r\n"u8.ToArray();
    private static readonly byte[] StartData = "354 End data with <CR><LF>.<CR><LF>\r\n"u8.ToArray();
    private static readonly byte[] Bye = "221 Bye\r\n"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly ConcurrentDictionary<int, StrongBox<long>> _byClientPort = new();
    private readonly Task _accepting;

    public SmtpSink()
    {
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Messages received per notice id, and the Stopwatch timestamp of the first one.</summary>
    public ConcurrentDictionary<Guid, (int Count, long FirstAt)> Received { get; } = new();

    public long MessagesWithoutNoticeId => Interlocked.Read(ref _withoutId);
    public long TotalMessages => Interlocked.Read(ref _total);

    /// <summary>Messages received so far per client connection, by the client's port.</summary>
    public IReadOnlyDictionary<int, long> MessagesByClientPort => _byClientPort.ToDictionary(c => c.Key, c => Interlocked.Read(ref c.Value.Value));
    private long _withoutId;
    private long _total;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            socket.NoDelay = true;
            var task = ServeAsync(socket);
            _connections.TryAdd(task, 0);
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var messages = _byClientPort.GetOrAdd(((IPEndPoint)socket.RemoteEndPoint!).Port, _ => new StrongBox<long>());
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream);
        try
        {
            await stream.WriteAsync(Greeting, _stop.Token);
            var inData = false;
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                var replies = new ArrayBufferWriter<byte>();
                var quit = false;
                while (true)
                {
                    if (inData)
                    {
                        var end = FindEndOfData(buffer);
                        if (end is null)
                        {
                            break;
                        }

                        Record(buffer.Slice(0, end.Value));
                        Interlocked.Increment(ref messages.Value);
                        buffer = buffer.Slice(buffer.GetPosition(5, end.Value));
                        replies.Write(Ok);
                        inData = false;
                        continue;
                    }

                    var newline = buffer.PositionOf((byte)'\n');
                    if (newline is null)
                    {
                        break;
                    }

                    var line = buffer.Slice(0, newline.Value);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                    var verb = Verb(line);
                    switch (verb)
                    {
                        case "EHLO":
                            replies.Write(EhloReply);
                            break;
                        case "DATA":
                            replies.Write(StartData);
                            inData = true;
                            break;
                        case "QUIT":
                            replies.Write(Bye);
                            quit = true;
                            break;
                        default:
                            replies.Write(Ok);
                            break;
                    }

                    if (quit)
                    {
                        break;
                    }
                }

                if (replies.WrittenCount > 0)
                {
                    await stream.WriteAsync(replies.WrittenMemory, _stop.Token);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (quit || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static string Verb(ReadOnlySequence<byte> line)
    {
        Span<byte> head = stackalloc byte[4];
        if (line.Length < 4)
        {
            return string.Empty;
        }

        line.Slice(0, 4).CopyTo(head);
        return Encoding.ASCII.GetString(head).ToUpperInvariant();
    }

    /// <summary>Position of "\r\n.\r\n" (the data terminator; the message's own CRLF is its first two bytes).</summary>
    private static SequencePosition? FindEndOfData(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n.\r\n"u8, advancePastDelimiter: false)
            ? reader.Position
            : null;
    }

    private void Record(ReadOnlySequence<byte> message)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _total);
        // Headers come first and are short: look for the Message-Id in the first few KB only, as bytes (MimeKit writes
        // "Message-Id"; other spellings are looked for case-insensitively only when that is not found).
        var head = message.Length > 8192 ? message.Slice(0, 8192) : message;
        ReadOnlySpan<byte> bytes = head.IsSingleSegment ? head.FirstSpan : head.ToArray();
        var at = bytes.StartsWith("Message-Id: <"u8) ? -1 : bytes.IndexOf("\nMessage-Id: <"u8);
        Guid id;
        if (at != -1 || bytes.StartsWith("Message-Id: <"u8))
        {
            var start = at + 14; // past "\nMessage-Id: <" (at = -1: the first header, with no newline before it)
            if (start + 32 > bytes.Length || !Utf8Parser.TryParse(bytes.Slice(start, 32), out id, out _, 'N'))
            {
                Interlocked.Increment(ref _withoutId);
                return;
            }
        }
        else
        {
            var text = "\n" + Encoding.ASCII.GetString(bytes);
            var i = text.IndexOf("\nMessage-Id: <", StringComparison.OrdinalIgnoreCase);
            if (i < 0 || i + 14 + 32 > text.Length || !Guid.TryParseExact(text.AsSpan(i + 14, 32), "N", out id))
            {
                Interlocked.Increment(ref _withoutId);
                return;
            }
        }

        Received.AddOrUpdate(id, _ => (1, now), (_, old) => (old.Count + 1, old.FirstAt));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }

        await Task.WhenAll(_connections.Keys).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
