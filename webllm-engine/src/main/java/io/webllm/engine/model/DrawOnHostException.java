package io.webllm.engine.model;

/**
 * The device left a draw to the host (sample.cl: a top-k or top-p cut whose candidates it could not hold, such as the
 * nucleus of a flat distribution). Nothing is lost: the draw's index did not advance, so the host draws the token the
 * device would have, from the same pass's logits, once the decode is closed and the pass run again.
 */
public final class DrawOnHostException extends RuntimeException {

    private final int sequence;

    DrawOnHostException(int sequence, String message) {
        super(message);
        this.sequence = sequence;
    }

    /** The sequence (its index in the decode) whose draw the host makes. */
    public int sequence() {
        return sequence;
    }
}
