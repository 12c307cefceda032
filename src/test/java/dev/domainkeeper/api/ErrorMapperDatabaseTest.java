package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** Checks that the ways a lost database surfaces through JDBI, Hikari and the drivers map to UNAVAILABLE. */
class ErrorMapperDatabaseTest {

    @Test
    void poolTimeout_throughJdbiConnectionException_isUnavailableWithARetryHint() {
        Throwable e = new ConnectionException(new SQLTransientConnectionException(
                "domainkeeper-db - Connection is not available, request timed out after 5000ms."));

        assertUnavailableWithHint(e);
    }

    @Test
    void connectionLostMidStatement_isUnavailable() {
        Throwable e = new UnableToExecuteStatementException(
                "SELECT 1",
                new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE),
                null);

        assertUnavailableWithHint(e);
    }

    @Test
    void serverShuttingDownOrTerminatingTheSession_isUnavailable() {
        assertUnavailableWithHint(new UnableToExecuteStatementException(
                "SELECT 1", new SQLException("terminating connection due to administrator command", "57P01"), null));
        assertUnavailableWithHint(new UnableToExecuteStatementException(
                "SELECT 1", new SQLException("sorry, too many clients already", "53300"), null));
    }

    @Test
    void sqliteBusyBeyondItsTimeout_isUnavailable() {
        assertUnavailableWithHint(new org.jdbi.v3.core.statement.UnableToExecuteStatementException(
                new org.sqlite.SQLiteException(
                        "[SQLITE_BUSY] The database file is locked (database is locked)",
                        org.sqlite.SQLiteErrorCode.SQLITE_BUSY),
                null));
    }

    @Test
    void otherSqlErrors_stayInternal() {
        Throwable e = new UnableToExecuteStatementException(
                "SELECT 1", new SQLException("column \"x\" does not exist", "42703"), null);

        assertThat(ErrorMapper.toStatus(e).getCode()).isEqualTo(Status.Code.INTERNAL);
    }

    private static void assertUnavailableWithHint(Throwable e) {
        Status status = ErrorMapper.toStatus(e);
        Metadata metadata = new Metadata();
        ErrorMapper.addRetryHint(e, status, metadata);

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).contains("database");
        assertThat(metadata.get(ErrorMapper.RETRY_AFTER)).isEqualTo("5");
    }
}
